"""The request bodies behind the actions users think in, built from the generated models."""

from __future__ import annotations

from typing import Literal

from vbc_telephony_api.models import (
    AnswerCall,
    AnswerCallState,
    CalledParty,
    CalledPartyType,
    CallingParty,
    CallingPartyType,
    Contact,
    ContactType,
    CreateCallRequest,
    CreateCallRequestType,
    HoldLeg,
    HoldLegState,
    LegReference,
    LegReferenceType,
    ParkCall,
    ParkCallState,
    PlaySound,
    SendDtmf,
    StartCompanyRecording,
    StartCompanyRecordingRecording,
    StartCompanyRecordingService,
    StartOnDemandRecording,
    StartOnDemandRecordingRecording,
    StartOnDemandRecordingService,
    StopCompanyRecording,
    StopCompanyRecordingRecording,
    StopCompanyRecordingService,
    StopOnDemandRecording,
    StopOnDemandRecordingRecording,
    StopOnDemandRecordingService,
    StopSound,
    TransferCall,
    TransferLeg,
    TransferLegState,
    UnholdOrAnswerLeg,
    UnholdOrAnswerLegState,
)

PartyType = Literal["extension", "device", "pstn"]
Recording = Literal["ccr", "ocr"]
LegAction = (
    HoldLeg
    | UnholdOrAnswerLeg
    | SendDtmf
    | PlaySound
    | StopSound
    | TransferLeg
    | StartCompanyRecording
    | StopCompanyRecording
    | StartOnDemandRecording
    | StopOnDemandRecording
)


def contact(destination: str | int, kind: PartyType) -> Contact:
    return Contact(destination=str(destination), type_=ContactType(kind))


def dial(
    to: str | int,
    from_: str | int,
    to_type: Literal["extension", "device", "pstn", "feature_code"] = "pstn",
    from_type: Literal["extension", "device", "feature_code"] = "extension",
    kind: Literal["click2dial", "click2dialme", "odr", "default"] = "click2dial",
) -> CreateCallRequest:
    return CreateCallRequest(
        from_=CallingParty(destination=str(from_), type_=CallingPartyType(from_type)),
        to=CalledParty(destination=str(to), type_=CalledPartyType(to_type)),
        type_=CreateCallRequestType(kind),
    )


def answer_call(device: str) -> AnswerCall:
    return AnswerCall(state=AnswerCallState.ACTIVE, to=contact(device, "device"))


def park(by: str | int, kind: PartyType = "extension") -> ParkCall:
    return ParkCall(state=ParkCallState.PARKED, from_=contact(by, kind))


def transfer_call(
    from_: str | int, to: str | int, from_type: PartyType, to_type: PartyType
) -> TransferCall:
    return TransferCall(from_=contact(from_, from_type), to=contact(to, to_type))


def hold() -> HoldLeg:
    return HoldLeg(state=HoldLegState.HELD)


def unhold() -> UnholdOrAnswerLeg:
    return UnholdOrAnswerLeg(state=UnholdOrAnswerLegState.ACTIVE)


def answer_leg() -> UnholdOrAnswerLeg:
    """The same body as unhold(): on a ringing leg it answers."""
    return UnholdOrAnswerLeg(state=UnholdOrAnswerLegState.ACTIVE)


def dtmf(digits: str) -> SendDtmf:
    return SendDtmf(dtmf=digits)


def play(url: str) -> PlaySound:
    return PlaySound(stream=True, stream_url=url)


def stop_playing() -> StopSound:
    return StopSound(stream=False)


def blind_transfer(to: str | int, kind: PartyType) -> TransferLeg:
    return TransferLeg(state=TransferLegState.ACTIVE, to=contact(to, kind))


def attended_transfer(other_leg_id: str) -> TransferLeg:
    return TransferLeg(
        state=TransferLegState.ACTIVE,
        to=LegReference(destination=other_leg_id, type_=LegReferenceType.LEG),
    )


def start_recording(service: Recording) -> StartCompanyRecording | StartOnDemandRecording:
    if service == "ccr":
        return StartCompanyRecording(
            recording=StartCompanyRecordingRecording.START, service=StartCompanyRecordingService.CCR
        )
    return StartOnDemandRecording(
        recording=StartOnDemandRecordingRecording.START, service=StartOnDemandRecordingService.OCR
    )


def stop_recording(service: Recording) -> StopCompanyRecording | StopOnDemandRecording:
    if service == "ccr":
        return StopCompanyRecording(
            recording=StopCompanyRecordingRecording.STOP, service=StopCompanyRecordingService.CCR
        )
    return StopOnDemandRecording(
        recording=StopOnDemandRecordingRecording.STOP, service=StopOnDemandRecordingService.OCR
    )


#: Actions whose repetition repeats their effect: never retried once they may have arrived.
UNREPEATABLE = (SendDtmf, PlaySound, TransferLeg, TransferCall)
