from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_call_request import CreateCallRequest
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: CreateCallRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/cc/accounts/{account_id}/calls".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorMessage | GatewayFault | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.json())
        return response_200

    if response.status_code == 202:
        response_202 = response.text
        return response_202

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

    if response.status_code == 413:

        def _parse_response_413(data: object) -> ErrorMessage | GatewayFault:
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

        response_413 = _parse_response_413(response.json())

        return response_413

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
) -> Response[ErrorMessage | GatewayFault | str]:
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
    body: CreateCallRequest,
) -> Response[ErrorMessage | GatewayFault | str]:
    """Place a call

     Places a call between two parties. With `type: click2dial` the `from` party's phone
    rings first; once it answers, `to` is dialled.

    Two answers are known:

    * **documented**: 200 with the new call's id as a bare string (`application/json`, a
      JSON string, or `text/plain`).
    * **observed**: 202, `text/plain`, with no call id and no `Location` header, and the
      call is placed. Reported from a live tenant by a third-party integration
      (Vacademy-io/vacademy_platform `docs/crm/AIRTEL_VBC_INTEGRATION_STATUS.md`), which
      finds its call by listing calls and matching the parties; the vbc-telephony SDK
      does the same. Another report has an application-only token get an empty 202.

    Args:
        account_id (str):
        body (CreateCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | ErrorMessage | GatewayFault | str]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: CreateCallRequest,
) -> ErrorMessage | GatewayFault | str | None:
    """Place a call

     Places a call between two parties. With `type: click2dial` the `from` party's phone
    rings first; once it answers, `to` is dialled.

    Two answers are known:

    * **documented**: 200 with the new call's id as a bare string (`application/json`, a
      JSON string, or `text/plain`).
    * **observed**: 202, `text/plain`, with no call id and no `Location` header, and the
      call is placed. Reported from a live tenant by a third-party integration
      (Vacademy-io/vacademy_platform `docs/crm/AIRTEL_VBC_INTEGRATION_STATUS.md`), which
      finds its call by listing calls and matching the parties; the vbc-telephony SDK
      does the same. Another report has an application-only token get an empty 202.

    Args:
        account_id (str):
        body (CreateCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | ErrorMessage | GatewayFault | str
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: CreateCallRequest,
) -> Response[ErrorMessage | GatewayFault | str]:
    """Place a call

     Places a call between two parties. With `type: click2dial` the `from` party's phone
    rings first; once it answers, `to` is dialled.

    Two answers are known:

    * **documented**: 200 with the new call's id as a bare string (`application/json`, a
      JSON string, or `text/plain`).
    * **observed**: 202, `text/plain`, with no call id and no `Location` header, and the
      call is placed. Reported from a live tenant by a third-party integration
      (Vacademy-io/vacademy_platform `docs/crm/AIRTEL_VBC_INTEGRATION_STATUS.md`), which
      finds its call by listing calls and matching the parties; the vbc-telephony SDK
      does the same. Another report has an application-only token get an empty 202.

    Args:
        account_id (str):
        body (CreateCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | ErrorMessage | GatewayFault | str]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: CreateCallRequest,
) -> ErrorMessage | GatewayFault | str | None:
    """Place a call

     Places a call between two parties. With `type: click2dial` the `from` party's phone
    rings first; once it answers, `to` is dialled.

    Two answers are known:

    * **documented**: 200 with the new call's id as a bare string (`application/json`, a
      JSON string, or `text/plain`).
    * **observed**: 202, `text/plain`, with no call id and no `Location` header, and the
      call is placed. Reported from a live tenant by a third-party integration
      (Vacademy-io/vacademy_platform `docs/crm/AIRTEL_VBC_INTEGRATION_STATUS.md`), which
      finds its call by listing calls and matching the parties; the vbc-telephony SDK
      does the same. Another report has an application-only token get an empty 202.

    Args:
        account_id (str):
        body (CreateCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | ErrorMessage | GatewayFault | str
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
