from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_message import ErrorMessage
from ...models.gateway_fault import GatewayFault
from ...models.hold_leg import HoldLeg
from ...models.leg_action_result import LegActionResult
from ...models.play_sound import PlaySound
from ...models.send_dtmf import SendDtmf
from ...models.start_company_recording import StartCompanyRecording
from ...models.start_on_demand_recording import StartOnDemandRecording
from ...models.stop_company_recording import StopCompanyRecording
from ...models.stop_on_demand_recording import StopOnDemandRecording
from ...models.stop_sound import StopSound
from ...models.transfer_leg import TransferLeg
from ...models.unhold_or_answer_leg import UnholdOrAnswerLeg
from ...types import Response


def _get_kwargs(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    body: HoldLeg
    | PlaySound
    | SendDtmf
    | StartCompanyRecording
    | StartOnDemandRecording
    | StopCompanyRecording
    | StopOnDemandRecording
    | StopSound
    | TransferLeg
    | UnholdOrAnswerLeg,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}".format(
            account_id=quote(str(account_id), safe="").replace(".", "%2E"),
            call_id=quote(str(call_id), safe="").replace(".", "%2E"),
            leg_id=quote(str(leg_id), safe="").replace(".", "%2E"),
        ),
    }

    if (
        isinstance(body, HoldLeg)
        or isinstance(body, TransferLeg)
        or isinstance(body, UnholdOrAnswerLeg)
        or isinstance(body, SendDtmf)
        or isinstance(body, PlaySound)
        or isinstance(body, StopSound)
        or isinstance(body, StartCompanyRecording)
        or isinstance(body, StopCompanyRecording)
        or isinstance(body, StartOnDemandRecording)
    ):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorMessage | GatewayFault | LegActionResult | None:
    if response.status_code == 200:
        response_200 = LegActionResult.from_dict(response.json())

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
) -> Response[ErrorMessage | GatewayFault | LegActionResult]:
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
    body: HoldLeg
    | PlaySound
    | SendDtmf
    | StartCompanyRecording
    | StartOnDemandRecording
    | StopCompanyRecording
    | StopOnDemandRecording
    | StopSound
    | TransferLeg
    | UnholdOrAnswerLeg,
) -> Response[ErrorMessage | GatewayFault | LegActionResult]:
    """Act on a leg (hold, answer, DTMF, sound, transfer, recording)

     The body names exactly one action; each has its own schema below. `{"state": "active"}`
    answers a ringing leg and takes a held leg off hold: the server tells them apart by
    the leg's state. An action the leg's state does not allow (holding a ringing leg,
    acting on a leg of an ended call) is a 409. Repeating an action that is already in
    effect (holding a held leg) succeeds and changes nothing, as a PUT should.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):
        body (HoldLeg | PlaySound | SendDtmf | StartCompanyRecording | StartOnDemandRecording |
            StopCompanyRecording | StopOnDemandRecording | StopSound | TransferLeg |
            UnholdOrAnswerLeg): Exactly one action. Taking a leg off hold and answering a ringing leg
            are the same
            body (`UnholdOrAnswerLeg`); which it does depends on the leg's state. The forms exclude
            each other, so this is `oneOf`: generators that type unions (typescript-fetch) give
            a union of the forms, not one object with every field. `TransferLeg` has every
            field of `UnholdOrAnswerLeg` and more, so it comes first, in this list and by name,
            for generators that try the forms in either order (typescript-fetch sorts by name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | ErrorMessage | GatewayFault | LegActionResult]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
        body=body,
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
    body: HoldLeg
    | PlaySound
    | SendDtmf
    | StartCompanyRecording
    | StartOnDemandRecording
    | StopCompanyRecording
    | StopOnDemandRecording
    | StopSound
    | TransferLeg
    | UnholdOrAnswerLeg,
) -> ErrorMessage | GatewayFault | LegActionResult | None:
    """Act on a leg (hold, answer, DTMF, sound, transfer, recording)

     The body names exactly one action; each has its own schema below. `{"state": "active"}`
    answers a ringing leg and takes a held leg off hold: the server tells them apart by
    the leg's state. An action the leg's state does not allow (holding a ringing leg,
    acting on a leg of an ended call) is a 409. Repeating an action that is already in
    effect (holding a held leg) succeeds and changes nothing, as a PUT should.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):
        body (HoldLeg | PlaySound | SendDtmf | StartCompanyRecording | StartOnDemandRecording |
            StopCompanyRecording | StopOnDemandRecording | StopSound | TransferLeg |
            UnholdOrAnswerLeg): Exactly one action. Taking a leg off hold and answering a ringing leg
            are the same
            body (`UnholdOrAnswerLeg`); which it does depends on the leg's state. The forms exclude
            each other, so this is `oneOf`: generators that type unions (typescript-fetch) give
            a union of the forms, not one object with every field. `TransferLeg` has every
            field of `UnholdOrAnswerLeg` and more, so it comes first, in this list and by name,
            for generators that try the forms in either order (typescript-fetch sorts by name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | ErrorMessage | GatewayFault | LegActionResult
    """

    return sync_detailed(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
    body: HoldLeg
    | PlaySound
    | SendDtmf
    | StartCompanyRecording
    | StartOnDemandRecording
    | StopCompanyRecording
    | StopOnDemandRecording
    | StopSound
    | TransferLeg
    | UnholdOrAnswerLeg,
) -> Response[ErrorMessage | GatewayFault | LegActionResult]:
    """Act on a leg (hold, answer, DTMF, sound, transfer, recording)

     The body names exactly one action; each has its own schema below. `{"state": "active"}`
    answers a ringing leg and takes a held leg off hold: the server tells them apart by
    the leg's state. An action the leg's state does not allow (holding a ringing leg,
    acting on a leg of an ended call) is a 409. Repeating an action that is already in
    effect (holding a held leg) succeeds and changes nothing, as a PUT should.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):
        body (HoldLeg | PlaySound | SendDtmf | StartCompanyRecording | StartOnDemandRecording |
            StopCompanyRecording | StopOnDemandRecording | StopSound | TransferLeg |
            UnholdOrAnswerLeg): Exactly one action. Taking a leg off hold and answering a ringing leg
            are the same
            body (`UnholdOrAnswerLeg`); which it does depends on the leg's state. The forms exclude
            each other, so this is `oneOf`: generators that type unions (typescript-fetch) give
            a union of the forms, not one object with every field. `TransferLeg` has every
            field of `UnholdOrAnswerLeg` and more, so it comes first, in this list and by name,
            for generators that try the forms in either order (typescript-fetch sorts by name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | ErrorMessage | GatewayFault | LegActionResult]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        call_id=call_id,
        leg_id=leg_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    call_id: str,
    leg_id: str,
    *,
    client: AuthenticatedClient,
    body: HoldLeg
    | PlaySound
    | SendDtmf
    | StartCompanyRecording
    | StartOnDemandRecording
    | StopCompanyRecording
    | StopOnDemandRecording
    | StopSound
    | TransferLeg
    | UnholdOrAnswerLeg,
) -> ErrorMessage | GatewayFault | LegActionResult | None:
    """Act on a leg (hold, answer, DTMF, sound, transfer, recording)

     The body names exactly one action; each has its own schema below. `{"state": "active"}`
    answers a ringing leg and takes a held leg off hold: the server tells them apart by
    the leg's state. An action the leg's state does not allow (holding a ringing leg,
    acting on a leg of an ended call) is a 409. Repeating an action that is already in
    effect (holding a held leg) succeeds and changes nothing, as a PUT should.

    Args:
        account_id (str):
        call_id (str):
        leg_id (str):
        body (HoldLeg | PlaySound | SendDtmf | StartCompanyRecording | StartOnDemandRecording |
            StopCompanyRecording | StopOnDemandRecording | StopSound | TransferLeg |
            UnholdOrAnswerLeg): Exactly one action. Taking a leg off hold and answering a ringing leg
            are the same
            body (`UnholdOrAnswerLeg`); which it does depends on the leg's state. The forms exclude
            each other, so this is `oneOf`: generators that type unions (typescript-fetch) give
            a union of the forms, not one object with every field. `TransferLeg` has every
            field of `UnholdOrAnswerLeg` and more, so it comes first, in this list and by name,
            for generators that try the forms in either order (typescript-fetch sorts by name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | ErrorMessage | GatewayFault | LegActionResult
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            call_id=call_id,
            leg_id=leg_id,
            client=client,
            body=body,
        )
    ).parsed
