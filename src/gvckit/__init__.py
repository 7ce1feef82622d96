"""gvckit: global value chain analysis, from inter-country input-output tables to value chain
interventions.

Subpackages: :mod:`gvckit.icio` (tables, Leontief engine, trade in value added and GVC measures).
"""

from importlib.metadata import PackageNotFoundError, version

from gvckit.errors import GvcError, InputError, OptionError, OutputError, TableError

try:
    __version__ = version("gvckit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["GvcError", "InputError", "OptionError", "OutputError", "TableError", "__version__"]
