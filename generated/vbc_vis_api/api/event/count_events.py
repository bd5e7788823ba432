from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.call_direction import CallDirection
from ...models.error_response import ErrorResponse
from ...models.events_count import EventsCount
from ...models.gateway_fault import GatewayFault
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_date: int | Unset = UNSET,
    to_date: int | Unset = UNSET,
    direction: CallDirection | Unset = UNSET,
    states: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["fromDate"] = from_date

    params["toDate"] = to_date

    json_direction: str | Unset = UNSET
    if not isinstance(direction, Unset):
        json_direction = direction.value

    params["direction"] = json_direction

    params["states"] = states

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/self/events/count",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorResponse | GatewayFault | EventsCount | None:
    if response.status_code == 200:
        response_200 = EventsCount.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(data: object) -> ErrorResponse | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_vis_error_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_vis_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_vis_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_vis_error_type_1

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> ErrorResponse | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_vis_error_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_vis_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_vis_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_vis_error_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 408:
        response_408 = cast(Any, None)
        return response_408

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if response.status_code == 429:

        def _parse_response_429(data: object) -> ErrorResponse | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_vis_error_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_vis_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_vis_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_vis_error_type_1

        response_429 = _parse_response_429(response.json())

        return response_429

    if 500 <= response.status_code <= 599:

        def _parse_response_5xx(data: object) -> ErrorResponse | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_vis_error_type_0 = ErrorResponse.from_dict(data)

                return componentsschemas_vis_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_vis_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_vis_error_type_1

        response_5xx = _parse_response_5xx(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ErrorResponse | GatewayFault | EventsCount]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_date: int | Unset = UNSET,
    to_date: int | Unset = UNSET,
    direction: CallDirection | Unset = UNSET,
    states: str | Unset = UNSET,
) -> Response[Any | ErrorResponse | GatewayFault | EventsCount]:
    """How many events match

    Args:
        from_date (int | Unset):
        to_date (int | Unset):
        direction (CallDirection | Unset): Whether the call came into the user or went out from
            them.
        states (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | ErrorResponse | GatewayFault | EventsCount]
    """

    kwargs = _get_kwargs(
        from_date=from_date,
        to_date=to_date,
        direction=direction,
        states=states,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_date: int | Unset = UNSET,
    to_date: int | Unset = UNSET,
    direction: CallDirection | Unset = UNSET,
    states: str | Unset = UNSET,
) -> Any | ErrorResponse | GatewayFault | EventsCount | None:
    """How many events match

    Args:
        from_date (int | Unset):
        to_date (int | Unset):
        direction (CallDirection | Unset): Whether the call came into the user or went out from
            them.
        states (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | ErrorResponse | GatewayFault | EventsCount
    """

    return sync_detailed(
        client=client,
        from_date=from_date,
        to_date=to_date,
        direction=direction,
        states=states,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_date: int | Unset = UNSET,
    to_date: int | Unset = UNSET,
    direction: CallDirection | Unset = UNSET,
    states: str | Unset = UNSET,
) -> Response[Any | ErrorResponse | GatewayFault | EventsCount]:
    """How many events match

    Args:
        from_date (int | Unset):
        to_date (int | Unset):
        direction (CallDirection | Unset): Whether the call came into the user or went out from
            them.
        states (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | ErrorResponse | GatewayFault | EventsCount]
    """

    kwargs = _get_kwargs(
        from_date=from_date,
        to_date=to_date,
        direction=direction,
        states=states,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_date: int | Unset = UNSET,
    to_date: int | Unset = UNSET,
    direction: CallDirection | Unset = UNSET,
    states: str | Unset = UNSET,
) -> Any | ErrorResponse | GatewayFault | EventsCount | None:
    """How many events match

    Args:
        from_date (int | Unset):
        to_date (int | Unset):
        direction (CallDirection | Unset): Whether the call came into the user or went out from
            them.
        states (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | ErrorResponse | GatewayFault | EventsCount
    """

    return (
        await asyncio_detailed(
            client=client,
            from_date=from_date,
            to_date=to_date,
            direction=direction,
            states=states,
        )
    ).parsed
