from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.device import Device
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...types import Response


def _get_kwargs(
    account_id: str,
    device_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/registration/accounts/{account_id}/devices/{device_id}".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
            device_id=quote(str(device_id), safe="").replace(".", "%2E"),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Device | ErrorMessage | GatewayFault | None:
    if response.status_code == 200:
        response_200 = Device.from_dict(response.json())

        return response_200

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
) -> Response[Device | ErrorMessage | GatewayFault]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    device_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Device | ErrorMessage | GatewayFault]:
    """Get the registration status of one device

    Args:
        account_id (str):
        device_id (str): Six pairs of hex digits. The vendor documents only examples in one
            spelling
            (`79-5C-7D-28-1B-B3`); the pattern is this project's assumption.
             Example: 79-5C-7D-28-1B-B3.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Device | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        device_id=device_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    device_id: str,
    *,
    client: AuthenticatedClient,
) -> Device | ErrorMessage | GatewayFault | None:
    """Get the registration status of one device

    Args:
        account_id (str):
        device_id (str): Six pairs of hex digits. The vendor documents only examples in one
            spelling
            (`79-5C-7D-28-1B-B3`); the pattern is this project's assumption.
             Example: 79-5C-7D-28-1B-B3.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Device | ErrorMessage | ErrorMessage | GatewayFault
    """

    return sync_detailed(
        account_id=account_id,
        device_id=device_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    device_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Device | ErrorMessage | GatewayFault]:
    """Get the registration status of one device

    Args:
        account_id (str):
        device_id (str): Six pairs of hex digits. The vendor documents only examples in one
            spelling
            (`79-5C-7D-28-1B-B3`); the pattern is this project's assumption.
             Example: 79-5C-7D-28-1B-B3.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Device | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        device_id=device_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    device_id: str,
    *,
    client: AuthenticatedClient,
) -> Device | ErrorMessage | GatewayFault | None:
    """Get the registration status of one device

    Args:
        account_id (str):
        device_id (str): Six pairs of hex digits. The vendor documents only examples in one
            spelling
            (`79-5C-7D-28-1B-B3`); the pattern is this project's assumption.
             Example: 79-5C-7D-28-1B-B3.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Device | ErrorMessage | ErrorMessage | GatewayFault
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            device_id=device_id,
            client=client,
        )
    ).parsed
