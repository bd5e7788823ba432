from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.gateway_fault import GatewayFault
from ...models.webhook import Webhook
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/self/webhooks",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorResponse | GatewayFault | list[Webhook] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Webhook.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[Any | ErrorResponse | GatewayFault | list[Webhook]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorResponse | GatewayFault | list[Webhook]]:
    """List the user's webhooks

     Every webhook of the user, each with its `signingKey` echoed back (as the vendor's
    tutorial shows): anyone holding the user's token can read the secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | ErrorResponse | GatewayFault | list[Webhook]]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Any | ErrorResponse | GatewayFault | list[Webhook] | None:
    """List the user's webhooks

     Every webhook of the user, each with its `signingKey` echoed back (as the vendor's
    tutorial shows): anyone holding the user's token can read the secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | ErrorResponse | GatewayFault | list[Webhook]
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorResponse | GatewayFault | list[Webhook]]:
    """List the user's webhooks

     Every webhook of the user, each with its `signingKey` echoed back (as the vendor's
    tutorial shows): anyone holding the user's token can read the secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | ErrorResponse | GatewayFault | list[Webhook]]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Any | ErrorResponse | GatewayFault | list[Webhook] | None:
    """List the user's webhooks

     Every webhook of the user, each with its `signingKey` echoed back (as the vendor's
    tutorial shows): anyone holding the user's token can read the secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | ErrorResponse | GatewayFault | list[Webhook]
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
