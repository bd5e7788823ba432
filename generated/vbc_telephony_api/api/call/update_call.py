from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.answer_call import AnswerCall
from ...models.call_action_result import CallActionResult
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...models.park_call import ParkCall
from ...models.transfer_call import TransferCall
from ...types import Response


def _get_kwargs(
    account_id: str,
    call_id: str,
    *,
    body: AnswerCall | ParkCall | TransferCall,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/cc/accounts/{account_id}/calls/{call_id}".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
            call_id=quote(str(call_id), safe="").replace(".", "%2E"),
        ),
    }

    if isinstance(body, AnswerCall) or isinstance(body, ParkCall):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CallActionResult | ErrorMessage | GatewayFault | None:
    if response.status_code == 200:
        response_200 = CallActionResult.from_dict(response.json())

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
) -> Response[CallActionResult | ErrorMessage | GatewayFault]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    call_id: str,
    *,
    client: AuthenticatedClient,
    body: AnswerCall | ParkCall | TransferCall,
) -> Response[CallActionResult | ErrorMessage | GatewayFault]:
    """Answer, park or transfer a call

     Three actions share this operation, told apart by the body:

    * answer: `state: active` and the `to` device (VH id) that answers;
    * park: `state: parked` and the `from` party that parks;
    * transfer: no `state`, both `from` and `to`.

    Acting on a call whose state does not allow the action (parking a call that is still
    ringing, answering one already answered) is a 409.

    Args:
        account_id (str):
        call_id (str):
        body (AnswerCall | ParkCall | TransferCall): Exactly one of answer, park or transfer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallActionResult | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    call_id: str,
    *,
    client: AuthenticatedClient,
    body: AnswerCall | ParkCall | TransferCall,
) -> CallActionResult | ErrorMessage | GatewayFault | None:
    """Answer, park or transfer a call

     Three actions share this operation, told apart by the body:

    * answer: `state: active` and the `to` device (VH id) that answers;
    * park: `state: parked` and the `from` party that parks;
    * transfer: no `state`, both `from` and `to`.

    Acting on a call whose state does not allow the action (parking a call that is still
    ringing, answering one already answered) is a 409.

    Args:
        account_id (str):
        call_id (str):
        body (AnswerCall | ParkCall | TransferCall): Exactly one of answer, park or transfer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallActionResult | ErrorMessage | ErrorMessage | GatewayFault
    """

    return sync_detailed(
        account_id=account_id,
        call_id=call_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    call_id: str,
    *,
    client: AuthenticatedClient,
    body: AnswerCall | ParkCall | TransferCall,
) -> Response[CallActionResult | ErrorMessage | GatewayFault]:
    """Answer, park or transfer a call

     Three actions share this operation, told apart by the body:

    * answer: `state: active` and the `to` device (VH id) that answers;
    * park: `state: parked` and the `from` party that parks;
    * transfer: no `state`, both `from` and `to`.

    Acting on a call whose state does not allow the action (parking a call that is still
    ringing, answering one already answered) is a 409.

    Args:
        account_id (str):
        call_id (str):
        body (AnswerCall | ParkCall | TransferCall): Exactly one of answer, park or transfer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallActionResult | ErrorMessage | ErrorMessage | GatewayFault]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    call_id: str,
    *,
    client: AuthenticatedClient,
    body: AnswerCall | ParkCall | TransferCall,
) -> CallActionResult | ErrorMessage | GatewayFault | None:
    """Answer, park or transfer a call

     Three actions share this operation, told apart by the body:

    * answer: `state: active` and the `to` device (VH id) that answers;
    * park: `state: parked` and the `from` party that parks;
    * transfer: no `state`, both `from` and `to`.

    Acting on a call whose state does not allow the action (parking a call that is still
    ringing, answering one already answered) is a 409.

    Args:
        account_id (str):
        call_id (str):
        body (AnswerCall | ParkCall | TransferCall): Exactly one of answer, park or transfer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallActionResult | ErrorMessage | ErrorMessage | GatewayFault
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            call_id=call_id,
            client=client,
            body=body,
        )
    ).parsed
