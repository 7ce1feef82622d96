"""Write the corpus of bad IATI inputs (``python tests/bad_inputs/make_iati.py [DIR]``; default
``tests/bad_inputs/iati/``). Each file is named after what is wrong with it; ``GOOD`` activities
are mixed in so that tests can check that none of them is lost. ``bomb_bytes`` sets the size of
the gzip bomb once decompressed (1 GB by default; tests use less)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
TAIL = "</iati-activities>\n"


def activity(ident: str, title: str = "Dairy value chain development", value: str = "1000") -> str:
    """A small valid 2.03 activity (empty ``ident`` gives an activity without identifier)."""
    ident_xml = f"<iati-identifier>{ident}</iati-identifier>" if ident else ""
    return f"""<iati-activity default-currency="EUR" last-updated-datetime="2024-01-01T00:00:00">
  {ident_xml}
  <reporting-org ref="XX-TEST" type="10"><narrative>Test donor</narrative></reporting-org>
  <title><narrative xml:lang="en">{title}</narrative></title>
  <sector code="31120" vocabulary="1" percentage="100"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2020-01-01"/>
    <value value-date="2020-01-01">{value}</value></transaction>
</iati-activity>
"""


GOOD = ["XX-TEST-GOOD-1", "XX-TEST-GOOD-2"]


def write_corpus(folder: Path, bomb_bytes: int = 10**9) -> dict[str, Path]:
    """Write every bad file into ``folder``; returns name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "good.xml": (HEAD + "".join(activity(i) for i in GOOD) + TAIL).encode(),
        "not_xml.xml": b"this is not XML at all, just a text file\n",
        "empty.xml": b"",
        "truncated.xml": (HEAD + activity("XX-TEST-TRUNC-1") + activity("XX-TEST-TRUNC-2"))
        .encode()[:-60],
        "billion_laughs.xml": (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            + "".join(
                f' <!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">\n'
                for k in range(1, 10)
            )
            + ']>\n<iati-activities version="2.03"><iati-activity><iati-identifier>'
            "&lol9;</iati-identifier></iati-activity></iati-activities>\n"
        ).encode(),
        "xxe.xml": (
            b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b'<iati-activities version="2.03"><iati-activity>'
            b"<iati-identifier>XX-XXE</iati-identifier>"
            b"<title><narrative>&xxe;</narrative></title></iati-activity></iati-activities>\n"
        ),
        "no_identifier.xml": (HEAD + activity("") + activity("XX-TEST-NOID-OK") + TAIL).encode(),
        "non_numeric.xml": (HEAD + activity("XX-TEST-NAN", value="one million") + TAIL).encode(),
        "unknown_codes.xml": (
            HEAD + activity("XX-TEST-CODES").replace('code="31120"', 'code="ZZZ99"')
            .replace('code="2"/>', 'code="Q7"/>') + TAIL
        ).encode(),
        "wrong_encoding.xml": (HEAD + activity("XX-TEST-LATIN", title="Filière café")
                               + TAIL).encode("latin-1"),
    }  # fmt: skip
    out = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        out[name] = path
    bomb = folder / "gzip_bomb.xml.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(HEAD.encode())
        chunk = b" " * (1 << 20)
        for _ in range(bomb_bytes // len(chunk) + 1):
            fh.write(chunk)
        fh.write(TAIL.encode())
    out["gzip_bomb.xml.gz"] = bomb
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "iati"
    for path in write_corpus(target).values():
        print(f"{path}  ({path.stat().st_size:,} bytes)")
