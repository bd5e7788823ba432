from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...types import Response


def _get_kwargs(
    account_id: str,
    call_id: str,
    leg_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
            call_id=quote(str(call_id), safe="").replace(".", "%2E"),
            leg_id=quote(str(leg_id), safe="").replace(".", "%2E"),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorMessage | GatewayFault | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = ErrorMessage.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorMessage.from_dict(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> ErrorMessage | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_gateway_error_type_0 = ErrorMessage.from_dict(data)

                return componentsschemas_gateway_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_gateway_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_gateway_error_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorMessage.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorMessage.from_dict(response.json())

        return response_409

    if response.status_code == 429:

        def _parse_response_429(data: object) -> ErrorMessage | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_gateway_error_type_0 = ErrorMessage.from_dict(data)

                return componentsschemas_gateway_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_gateway_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_gateway_error_type_1

        response_429 = _parse_response_429(response.json())

        return response_429

    if 500 <= response.status_code <= 599:

        def _parse_response_5xx(data: object) -> ErrorMessage | GatewayFault:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_gateway_error_type_0 = ErrorMessage.from_dict(data)

                return componentsschemas_gateway_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_gateway_error_type_1 = GatewayFault.from_dict(data)

            return componentsschemas_gateway_error_type_1

        response_5xx = _parse_response_5xx(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ErrorMessage | GatewayFault]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorMessage | GatewayFault]:
    """Drop a leg

     Drops this party from the call. When fewer than two parties remain, the call ends.
    Afterwards the leg answers 404.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorMessage | GatewayFault | None:
    """Drop a leg

     Drops this party from the call. When fewer than two parties remain, the call ends.
    Afterwards the leg answers 404.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorMessage | ErrorMessage | GatewayFault
    """

    return sync_detailed(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorMessage | GatewayFault]:
    """Drop a leg

     Drops this party from the call. When fewer than two parties remain, the call ends.
    Afterwards the leg answers 404.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorMessage | GatewayFault | None:
    """Drop a leg

     Drops this party from the call. When fewer than two parties remain, the call ends.
    Afterwards the leg answers 404.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorMessage | ErrorMessage | GatewayFault
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            call_id=call_id,
            leg_id=leg_id,
            client=client,
        )
    ).parsed
