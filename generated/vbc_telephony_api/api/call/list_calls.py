from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.call_page import CallPage
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...models.list_calls_order import ListCallsOrder
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: str,
    *,
    extension: str | Unset = UNSET,
    page_size: int | Unset = 100,
    page: int | Unset = 0,
    order: ListCallsOrder | Unset = ListCallsOrder.DESC,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["extension"] = extension

    params["page_size"] = page_size

    params["page"] = page

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params["start_time"] = start_time

    params["end_time"] = end_time

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/cc/accounts/{account_id}/calls".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CallPage | ErrorMessage | GatewayFault | None:
    if response.status_code == 200:
        response_200 = CallPage.from_dict(response.json())

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
) -> Response[CallPage | ErrorMessage | GatewayFault]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    extension: str | Unset = UNSET,
    page_size: int | Unset = 100,
    page: int | Unset = 0,
    order: ListCallsOrder | Unset = ListCallsOrder.DESC,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
) -> Response[CallPage | ErrorMessage | GatewayFault]:
    """List the active calls of an account

     Pages through calls in progress. Completed calls are not listed here; use the Reports
    API for those.

    Args:
        account_id (str):
        extension (str | Unset):
        page_size (int | Unset):  Default: 100.
        page (int | Unset):  Default: 0.
        order (ListCallsOrder | Unset):  Default: ListCallsOrder.DESC.
        start_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end
            of year 9999, are this project's assumption). Example: 1595955770.
        end_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end of
            year 9999, are this project's assumption). Example: 1595955770.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallPage | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        extension=extension,
        page_size=page_size,
        page=page,
        order=order,
        start_time=start_time,
        end_time=end_time,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient,
    extension: str | Unset = UNSET,
    page_size: int | Unset = 100,
    page: int | Unset = 0,
    order: ListCallsOrder | Unset = ListCallsOrder.DESC,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
) -> CallPage | ErrorMessage | GatewayFault | None:
    """List the active calls of an account

     Pages through calls in progress. Completed calls are not listed here; use the Reports
    API for those.

    Args:
        account_id (str):
        extension (str | Unset):
        page_size (int | Unset):  Default: 100.
        page (int | Unset):  Default: 0.
        order (ListCallsOrder | Unset):  Default: ListCallsOrder.DESC.
        start_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end
            of year 9999, are this project's assumption). Example: 1595955770.
        end_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end of
            year 9999, are this project's assumption). Example: 1595955770.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallPage | ErrorMessage | ErrorMessage | GatewayFault
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        extension=extension,
        page_size=page_size,
        page=page,
        order=order,
        start_time=start_time,
        end_time=end_time,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    extension: str | Unset = UNSET,
    page_size: int | Unset = 100,
    page: int | Unset = 0,
    order: ListCallsOrder | Unset = ListCallsOrder.DESC,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
) -> Response[CallPage | ErrorMessage | GatewayFault]:
    """List the active calls of an account

     Pages through calls in progress. Completed calls are not listed here; use the Reports
    API for those.

    Args:
        account_id (str):
        extension (str | Unset):
        page_size (int | Unset):  Default: 100.
        page (int | Unset):  Default: 0.
        order (ListCallsOrder | Unset):  Default: ListCallsOrder.DESC.
        start_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end
            of year 9999, are this project's assumption). Example: 1595955770.
        end_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end of
            year 9999, are this project's assumption). Example: 1595955770.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallPage | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        extension=extension,
        page_size=page_size,
        page=page,
        order=order,
        start_time=start_time,
        end_time=end_time,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient,
    extension: str | Unset = UNSET,
    page_size: int | Unset = 100,
    page: int | Unset = 0,
    order: ListCallsOrder | Unset = ListCallsOrder.DESC,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
) -> CallPage | ErrorMessage | GatewayFault | None:
    """List the active calls of an account

     Pages through calls in progress. Completed calls are not listed here; use the Reports
    API for those.

    Args:
        account_id (str):
        extension (str | Unset):
        page_size (int | Unset):  Default: 100.
        page (int | Unset):  Default: 0.
        order (ListCallsOrder | Unset):  Default: ListCallsOrder.DESC.
        start_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end
            of year 9999, are this project's assumption). Example: 1595955770.
        end_time (int | Unset): Seconds since 1970-01-01T00:00:00Z (both bounds, 0 and the end of
            year 9999, are this project's assumption). Example: 1595955770.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallPage | ErrorMessage | ErrorMessage | GatewayFault
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            extension=extension,
            page_size=page_size,
            page=page,
            order=order,
            start_time=start_time,
            end_time=end_time,
        )
    ).parsed
