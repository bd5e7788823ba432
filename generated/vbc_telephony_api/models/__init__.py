"""Contains all the data models used in inputs/outputs"""

from .answer_call import AnswerCall
from .answer_call_state import AnswerCallState
from .call import Call
from .call_action_result import CallActionResult
from .call_leg import CallLeg
from .call_leg_map import CallLegMap
from .call_page import CallPage
from .call_page_order import CallPageOrder
from .call_status import CallStatus
from .called_party import CalledParty
from .called_party_type import CalledPartyType
from .calling_party import CallingParty
from .calling_party_type import CallingPartyType
from .contact import Contact
from .contact_type import ContactType
from .create_call_request import CreateCallRequest
from .create_call_request_type import CreateCallRequestType
from .device import Device
from .device_page import DevicePage
from .device_page_order import DevicePageOrder
from .device_provisioned import DeviceProvisioned
from .device_registration import DeviceRegistration
from .direction import Direction
from .error_message import ErrorMessage
from .gateway_fault import GatewayFault
from .gateway_fault_fault import GatewayFaultFault
from .hold_leg import HoldLeg
from .hold_leg_state import HoldLegState
from .leg_action_result import LegActionResult
from .leg_reference import LegReference
from .leg_reference_type import LegReferenceType
from .list_calls_order import ListCallsOrder
from .list_devices_order import ListDevicesOrder
from .park_call import ParkCall
from .park_call_state import ParkCallState
from .play_sound import PlaySound
from .send_dtmf import SendDtmf
from .start_company_recording import StartCompanyRecording
from .start_company_recording_recording import StartCompanyRecordingRecording
from .start_company_recording_service import StartCompanyRecordingService
from .start_on_demand_recording import StartOnDemandRecording
from .start_on_demand_recording_recording import StartOnDemandRecordingRecording
from .start_on_demand_recording_service import StartOnDemandRecordingService
from .stop_company_recording import StopCompanyRecording
from .stop_company_recording_recording import StopCompanyRecordingRecording
from .stop_company_recording_service import StopCompanyRecordingService
from .stop_on_demand_recording import StopOnDemandRecording
from .stop_on_demand_recording_recording import StopOnDemandRecordingRecording
from .stop_on_demand_recording_service import StopOnDemandRecordingService
from .stop_sound import StopSound
from .transfer_call import TransferCall
from .transfer_leg import TransferLeg
from .transfer_leg_state import TransferLegState
from .unhold_or_answer_leg import UnholdOrAnswerLeg
from .unhold_or_answer_leg_state import UnholdOrAnswerLegState

__all__ = (
    "AnswerCall",
    "AnswerCallState",
    "Call",
    "CallActionResult",
    "CallLeg",
    "CallLegMap",
    "CallPage",
    "CallPageOrder",
    "CallStatus",
    "CalledParty",
    "CalledPartyType",
    "CallingParty",
    "CallingPartyType",
    "Contact",
    "ContactType",
    "CreateCallRequest",
    "CreateCallRequestType",
    "Device",
    "DevicePage",
    "DevicePageOrder",
    "DeviceProvisioned",
    "DeviceRegistration",
    "Direction",
    "ErrorMessage",
    "GatewayFault",
    "GatewayFaultFault",
    "HoldLeg",
    "HoldLegState",
    "LegActionResult",
    "LegReference",
    "LegReferenceType",
    "ListCallsOrder",
    "ListDevicesOrder",
    "ParkCall",
    "ParkCallState",
    "PlaySound",
    "SendDtmf",
    "StartCompanyRecording",
    "StartCompanyRecordingRecording",
    "StartCompanyRecordingService",
    "StartOnDemandRecording",
    "StartOnDemandRecordingRecording",
    "StartOnDemandRecordingService",
    "StopCompanyRecording",
    "StopCompanyRecordingRecording",
    "StopCompanyRecordingService",
    "StopOnDemandRecording",
    "StopOnDemandRecordingRecording",
    "StopOnDemandRecordingService",
    "StopSound",
    "TransferCall",
    "TransferLeg",
    "TransferLegState",
    "UnholdOrAnswerLeg",
    "UnholdOrAnswerLegState",
)
