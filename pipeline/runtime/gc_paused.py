"""Python's cyclic garbage collector paused for a burst of allocation."""

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """The collector off while a burst of objects is made that all survive it: parsing a file (millions
    of row values), importing a large library (Great Expectations: thousands of classes). Each burst
    sets off collections of the oldest generation, which walk the whole heap, and in a refresh's step
    that is Dagster's and dbt's objects too (measured at region scale: half the load stage, and a
    sixth of the GX import). Cycles made meanwhile (openpyxl's workbook) are collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
