"""One turn driver for the engine tests: open a session, then say each line, the clock moving between turns."""
from __future__ import annotations


async def talk(engine, lines, clock=None, seconds: float = 45.0, user: str = "u_test", stop_when_ended: bool = False):
    """Every reply, the opening first. ``stop_when_ended``: no more lines once a reply ends the session."""
    replies = [await engine.open(user)]
    for line in lines:
        if clock is not None:
            clock.advance(seconds)
        replies.append(await engine.handle(user, line))
        if stop_when_ended and replies[-1].ended:
            break
    return replies
