"""Optimal one-to-one matching of scored pairs, exactly as SciPy's ``linear_sum_assignment`` chooses.

Pair ``k`` joins row ``rows[k]`` (a prediction) and column ``cols[k]`` (a gold item)
and has a weight (its credit). The scorers keep the pairs with positive weight that an
optimal assignment of the weight matrix (maximum total) keeps. An optimal assignment's
positive pairs form a maximum-weight matching, which gives two exact shortcuts:

* when no row or column is in two positive pairs, every optimum keeps them all;
* when, group by group (pairs linked by a shared row or column), the maximum-weight
  matching is unique, any exact solver finds it: a small exhaustive search does.

Otherwise SciPy decides on the scorer's own matrix, so that a tie between equal
optima is broken as it always was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

#: Groups of more pairs than this go to SciPy rather than to an exhaustive search.
MAX_SEARCH = 10


def one_to_one(rows: Sequence[int], cols: Sequence[int], ks: Sequence[int]) -> bool:
    """True when no row and no column is in two of the pairs ``ks``."""
    return len({rows[k] for k in ks}) == len(ks) == len({cols[k] for k in ks})


def groups(rows: Sequence[int], cols: Sequence[int], ks: Sequence[int]) -> list[list[int]]:
    """The pairs ``ks`` split into connected groups (pairs sharing a row or a column are in one group)."""
    sharing: dict[tuple[str, int], list[int]] = {}
    for k in ks:
        sharing.setdefault(("row", rows[k]), []).append(k)
        sharing.setdefault(("col", cols[k]), []).append(k)
    seen: set[int] = set()
    out = []
    for k in ks:
        if k in seen:
            continue
        seen.add(k)
        group, todo = [], [k]
        while todo:
            x = todo.pop()
            group.append(x)
            for y in sharing["row", rows[x]] + sharing["col", cols[x]]:
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        out.append(sorted(group))
    return out


def best_matchings(rows: Sequence[int], cols: Sequence[int], ks: Sequence[int], weight: Mapping[int, float]) -> list[list[int]]:
    """Every matching of maximum total weight among the (few) positive pairs ``ks``, by exhaustive search.

    A pair whose row and column are free and in no later pair is always taken: leaving
    it out gives a lighter matching.
    """
    last_row = {rows[k]: n for n, k in enumerate(ks)}
    last_col = {cols[k]: n for n, k in enumerate(ks)}
    best: list[list[int]] = []
    best_total = -1.0
    chosen: list[int] = []
    used_rows: set[int] = set()
    used_cols: set[int] = set()

    def walk(n: int, total: float) -> None:
        nonlocal best, best_total
        if n == len(ks):
            if total > best_total:
                best, best_total = [list(chosen)], total
            elif total == best_total:
                best.append(list(chosen))
            return
        k = ks[n]
        r, c = rows[k], cols[k]
        free = r not in used_rows and c not in used_cols
        if free:
            used_rows.add(r)
            used_cols.add(c)
            chosen.append(k)
            walk(n + 1, total + weight[k])
            chosen.pop()
            used_rows.remove(r)
            used_cols.remove(c)
        if not (free and last_row[r] == n and last_col[c] == n):
            walk(n + 1, total)

    walk(0, 0.0)
    return best


def _heaviest_cover(rows: Sequence[int], cols: Sequence[int], ks: Sequence[int], weight: Mapping[int, float]) -> list[int] | None:
    """The pairs of the largest weight among ``ks``, when they are one-to-one and hold every row (or every column).

    A matching has one pair per row at most, none heavier: so none is heavier than
    these, and one as heavy must take, for every row, its only heaviest pair. The
    optimum is unique.
    """
    top = max(weight[k] for k in ks)
    heaviest = [k for k in ks if weight[k] == top]
    covers = len(heaviest) in (len({rows[k] for k in ks}), len({cols[k] for k in ks}))
    return heaviest if covers and one_to_one(rows, cols, heaviest) else None


def unique_best(rows: Sequence[int], cols: Sequence[int], ks: Sequence[int], weight: Mapping[int, float],
                within: list[list[int]] | None = None) -> list[int] | None:
    """The maximum-weight matching of the positive pairs ``ks`` when it is the only one, else None.

    ``within``: groups, none linked to another, that hold ``ks`` (computed when not given).
    A group too large to search counts as not unique.
    """
    mine = set(ks)
    out: list[int] = []
    for group in groups(rows, cols, ks) if within is None else within:
        part = [k for k in group if k in mine]
        if one_to_one(rows, cols, part):
            out += part
            continue
        heaviest = _heaviest_cover(rows, cols, part, weight)
        if heaviest is not None:
            out += heaviest
            continue
        found = best_matchings(rows, cols, part, weight) if len(part) <= MAX_SEARCH else []
        if len(found) != 1:
            return None
        out += found[0]
    return sorted(out)


def hungarian(rows: Sequence[int], cols: Sequence[int], weight: Mapping[int, float],
              shape: tuple[int, int] | None = None) -> list[int]:
    """The positive pairs SciPy keeps on the matrix of ``weight`` (zero elsewhere).

    With ``shape``, rows and columns are matrix indices; without, the matrix has one
    row per distinct row that has a pair, in order, and likewise for columns.
    """
    from scipy.optimize import linear_sum_assignment  # imported only when a choice is left

    if shape is None:
        row_ids, col_ids = sorted({rows[k] for k in weight}), sorted({cols[k] for k in weight})
    else:
        row_ids, col_ids = list(range(shape[0])), list(range(shape[1]))
    ri, ci = {v: n for n, v in enumerate(row_ids)}, {v: n for n, v in enumerate(col_ids)}
    cells = [(ri[rows[k]], ci[cols[k]]) for k in weight]
    w = np.zeros((len(row_ids), len(col_ids)))
    if cells:
        w[tuple(zip(*cells))] = list(weight.values())
    r, c = linear_sum_assignment(w, maximize=True)
    pair_of = dict(zip(cells, weight))
    return [pair_of[a, b] for a, b, x in zip(r.tolist(), c.tolist(), w[r, c].tolist()) if x > 0]


def kept(rows: Sequence[int], cols: Sequence[int], weight: Mapping[int, float],
         matrix: Callable[[], tuple[Mapping[int, float], tuple[int, int] | None]],
         within: list[list[int]] | None = None) -> list[int]:
    """The pairs of ``weight`` (positive or not) that the optimal matching keeps, sorted.

    ``matrix()`` gives what SciPy needs when a choice is left: the weights of every pair
    of the scorer's matrix (``weight``'s and any others, which then compete for the same
    rows and columns) and its shape (see :func:`hungarian`). ``within``: see
    :func:`unique_best`.
    """
    positive = sorted(k for k, w in weight.items() if w > 0)
    if one_to_one(rows, cols, positive):
        return positive
    unique = unique_best(rows, cols, positive, weight, within)
    if unique is not None:
        return unique
    every, shape = matrix()
    return sorted(k for k in hungarian(rows, cols, every, shape) if k in weight)
