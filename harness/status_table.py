# SPDX-License-Identifier: GPL-2.0
"""Reading drivers-conversions/STATUS.md, one row per census site:
| file:line | function | class | decision | tested |.  Shared by the
status check, the GFP_DMA count and the series generator."""
import re


def cells(line):
    """The cells of a table row; '\\|' is a '|' inside a cell."""
    return [c.strip() for c in re.split(r'(?<!\\)\|', line.strip()[1:-1])]


def table_rows(path):
    """(line number, cells) of every row of the tables in path, header and
    separator rows left out."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.startswith('|'):
                continue
            c = cells(line)
            if c[0] in ('file:line', 'file') or set(c[0]) <= set('-: '):
                continue
            yield n, c


def decisions(path):
    """file:line -> (line number, decision) of each well-formed site row."""
    return {c[0].strip('`'): (n, c[3]) for n, c in table_rows(path)
            if len(c) == 5 and re.fullmatch(r'\S+:\d+', c[0].strip('`'))}
