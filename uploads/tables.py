"""Reading an uploaded CSV as a table of text cells, the same way for every import.

Every cell is text ("" when empty: no NaN, and "NA" stays "NA"), blank rows are kept so row
numbers match the file, and a row with more cells than the header is an error, not a warning.
UTF-8 (with or without a byte-order mark) is tried first, then Excel's Windows-1252.
"""

import warnings
from typing import IO

import pandas as pd

ENCODINGS = ("utf-8-sig", "cp1252")


class UnreadableTable(ValueError):
    """The file is not a CSV that can be read; the message says why, in the uploader's words."""


def read_csv_text(uploaded_file: IO[bytes]) -> pd.DataFrame:
    """The CSV as text cells, the header's names as columns, row N after the header at position
    N - 1. UnreadableTable when it is empty, not a valid CSV or not readable text."""
    problem = "The file is not readable text."
    for encoding in ENCODINGS:
        uploaded_file.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    uploaded_file,
                    dtype=str,
                    keep_default_na=False,
                    skip_blank_lines=False,
                    index_col=False,
                    encoding=encoding,
                )
        except UnicodeDecodeError as error:
            problem = f"The file is not readable text ({error.reason})."
            continue
        except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
            raise UnreadableTable(f"The file is not a valid CSV: {error}") from error
        except pd.errors.EmptyDataError as error:
            raise UnreadableTable("The file is empty.") from error
        finally:
            uploaded_file.seek(0)
        return frame.fillna("")
    raise UnreadableTable(problem)
