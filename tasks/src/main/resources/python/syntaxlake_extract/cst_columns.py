"""The ``nodes`` and ``edges`` of one ``libcst_files_v1`` row, collected as columns.

A module of the standard library has up to a few hundred thousand CST nodes. Building a dict
per node, five per node with its spans and edge, and then letting pyarrow take every dict apart
again was a third of the row's cost beyond LibCST's own work. The walk appends one tuple per
node instead (:meth:`CstColumns.add`); :meth:`CstColumns.arrow` turns the tuples into the
contract's Arrow arrays with pyarrow's C++ converters, :meth:`CstColumns.rows` into the dicts
of the JSON text (NDJSON staging and rows whose strings need repair).
"""

from __future__ import annotations

from typing import Any

try:  # optional here: rows() needs no pyarrow, arrow() is only called where it is installed
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover - the extractor's environment installs it
    pa = pc = None

COL_UNIT = "utf32"

# a node LibCST gives no position: its span (and span_ws) is null
NO_POS = (None, None, None, None, None, None)
NO_WS_POS = (None, None, None, None)


class CstColumns:
    """Nodes in pre-order: node ``i`` (0-based) has ``cst_id`` i + 1; every node but the root
    (the first) is the ``dst`` of one CHILD edge from its parent."""

    __slots__ = ("records", "positions", "ws_positions")

    names = ("nodes", "edges")  # the row's fields these columns hold (see harness.ColumnarRow)

    def __init__(self) -> None:
        # (kind, byte_start, byte_end, parent cst_id, slot, idx) per node
        self.records: list[tuple] = []
        # (line, col, end_line, end_col, ...) of the syntactic span, 1-based lines, or NO_POS
        self.positions: list[tuple] = []
        # (line, col, end_line, end_col) of the whitespace-inclusive span, or NO_WS_POS
        self.ws_positions: list[tuple] = []

    def __len__(self) -> int:
        return len(self.records)

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``(nodes, edges)`` as the row's JSON-compatible lists of dicts."""
        nodes: list[dict[str, Any]] = []
        edges: list[dict[str, Any]] = []
        cst_id = 0
        for (kind, bstart, bend, parent, slot, idx), pos, wpos in zip(
            self.records, self.positions, self.ws_positions
        ):
            cst_id += 1
            byte_span = None if bstart is None else {"byte_start": bstart, "byte_len": bend - bstart}
            nodes.append(
                {
                    "cst_id": cst_id,
                    "kind": kind,
                    "span": _span(pos, byte_span),
                    "span_ws": _span(wpos, byte_span),
                    "attrs": {},
                }
            )
            if parent is not None:
                edges.append(
                    {"src": parent, "dst": cst_id, "kind": "CHILD", "slot": slot, "idx": idx, "attrs": {}}
                )
        return nodes, edges

    def arrow(self, nodes_type, edges_type) -> tuple[Any, Any]:
        """``(nodes, edges)`` as one-row pyarrow ListArrays of ``nodes_type`` and ``edges_type``
        (the contract's ``list<struct<...>>`` types)."""
        node_type = nodes_type.value_type
        edge_type = edges_type.value_type
        n = len(self.records)
        kinds, bstarts, bends, parents, slots, idxs = (
            zip(*self.records) if n else ((),) * 6
        )
        bstart = pa.array(bstarts, pa.int32())
        byte_span_type = node_type.field("span").type.field("byte_span").type
        byte_span = pa.StructArray.from_arrays(
            [bstart, pc.subtract(pa.array(bends, pa.int32()), bstart)],
            fields=list(byte_span_type),
            mask=bstart.is_null(),
        )
        span = _span_array(self.positions, node_type.field("span").type, byte_span, n)
        span_ws = _span_array(self.ws_positions, node_type.field("span_ws").type, byte_span, n)
        node_fields = {
            "cst_id": pa.array(range(1, n + 1), pa.int64()),
            "kind": pa.array(kinds, pa.string()),
            "span": span,
            "span_ws": span_ws,
            "attrs": _empty_maps(node_type.field("attrs").type, n),
        }
        edge_count = max(n - 1, 0)
        edge_fields = {
            "src": pa.array(parents[1:], pa.int64()),
            "dst": pa.array(range(2, n + 1), pa.int64()),
            "kind": pa.repeat(pa.scalar("CHILD", pa.string()), edge_count),
            "slot": pa.array(slots[1:], pa.string()),
            "idx": pa.array(idxs[1:], pa.int32()),
            "attrs": _empty_maps(edge_type.field("attrs").type, edge_count),
        }
        nodes = _one_row_list(node_fields, nodes_type, n)
        edges = _one_row_list(edge_fields, edges_type, edge_count)
        return nodes, edges


def _span(pos: tuple, byte_span: dict | None) -> dict[str, Any] | None:
    if pos[0] is None:
        return None
    return {
        "start": {"line0": pos[0] - 1, "col": pos[1]},
        "end": {"line0": pos[2] - 1, "col": pos[3]},
        "end_exclusive": True,
        "col_unit": COL_UNIT,
        "byte_span": byte_span,
    }


def _span_array(positions: list[tuple], span_type, byte_span, n: int):
    """The span structs of ``positions`` (null where a position is NO_POS): lines become
    0-based; every span shares the node's ``byte_span``."""
    if n:
        line, col, end_line, end_col = list(zip(*positions))[:4]
    else:
        line = col = end_line = end_col = ()
    one = pa.scalar(1, pa.int32())  # an int64 1 would widen the lines to int64
    line0 = pc.subtract(pa.array(line, pa.int32()), one)
    start_type = span_type.field("start").type
    end_type = span_type.field("end").type
    start = pa.StructArray.from_arrays([line0, pa.array(col, pa.int32())], fields=list(start_type))
    end = pa.StructArray.from_arrays(
        [pc.subtract(pa.array(end_line, pa.int32()), one), pa.array(end_col, pa.int32())],
        fields=list(end_type),
    )
    return pa.StructArray.from_arrays(
        [
            start,
            end,
            pa.repeat(pa.scalar(True, pa.bool_()), n),
            pa.repeat(pa.scalar(COL_UNIT, pa.string()), n),
            byte_span,
        ],
        fields=list(span_type),
        mask=line0.is_null(),
    )


def _empty_maps(map_type, n: int):
    return pa.MapArray.from_arrays(
        pa.repeat(pa.scalar(0, pa.int32()), n + 1),
        pa.array([], map_type.key_type),
        pa.array([], map_type.item_type),
        type=map_type,
    )


def _one_row_list(fields: dict[str, Any], list_type, n: int):
    struct_type = list_type.value_type
    values = pa.StructArray.from_arrays(
        [fields[f.name] for f in struct_type], fields=list(struct_type)
    )
    return pa.ListArray.from_arrays(pa.array([0, n], pa.int32()), values, type=list_type)
