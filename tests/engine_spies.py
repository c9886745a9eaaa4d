"""A spy on conv2d's dispatch: which algorithm's code actually ran (every algorithm gives the same
numbers, so only the engine's table can tell)."""

from __future__ import annotations

from convviz.nn.functional import conv


def record_algorithms(monkeypatch) -> list[str]:
    """Wrap each entry of conv.FORWARD and conv.BACKWARD; every call through the tables appends
    the name of the function it runs ("forward_banded", "backward_loops", ...) to the list."""
    ran: list[str] = []
    for table in (conv.FORWARD, conv.BACKWARD):
        for name, function in list(table.items()):
            def recorded(*args, _function=function, **kwargs):
                ran.append(_function.__name__)
                return _function(*args, **kwargs)

            monkeypatch.setitem(table, name, recorded)
    return ran


def ran_as(algorithm: str) -> list[str]:
    """What record_algorithms lists after one forward and one backward pass of ``algorithm``."""
    return [f"forward_{algorithm}", f"backward_{algorithm}"]
