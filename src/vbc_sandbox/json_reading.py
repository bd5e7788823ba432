"""JSON as every part of the sandbox reads it (request bodies, the seed file, what the
journal shows): a value JSON can hold, or a sentence saying why not. Python's parser takes
NaN and the infinities, reads a number too large for a float as an infinity and recurses
without bound; here each of those is a ValueError a 400 can carry."""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: How a JSON text spells a UTF-16 surrogate, the one way JSON decoded from valid UTF-8 can
#: hold a string that is not valid Unicode (a lone one).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class NotANumber(ValueError):
    """A number JSON cannot hold: NaN and the infinities (which Python's parser takes), or
    one too large for a float (which it reads as an infinity)."""


def no_constant(name: str) -> float:
    raise NotANumber(f"{name}, which is not a JSON number")


def finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotANumber(f"a number too large to use: {text[:20]}")
    return value


#: Built once: json.loads with these hooks would build a decoder per call.
DECODER = json.JSONDecoder(parse_constant=no_constant, parse_float=finite_float)


def read_json(text: str, what: str = "the body") -> Any:
    """The JSON of a request body (or of what `what` names, for the messages), or
    ValueError saying in a sentence why it cannot be used."""
    try:
        value = DECODER.decode(text)
    except NotANumber as error:
        raise ValueError(f"{what} holds {error}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not JSON: {error.msg} at character {error.pos}") from None
    except ValueError:  # an integer of thousands of digits
        raise ValueError(f"{what} holds a number with too many digits") from None
    if SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{what} holds a string that is not valid Unicode") from None
        except RecursionError:
            raise ValueError(f"{what} is nested too deeply") from None
    return value
