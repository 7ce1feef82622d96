def sniff_oecd(header: list[str]) -> bool:
    return False
