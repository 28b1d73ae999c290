"""The AsyncAPI 3.0 description of the Kafka topics, built from the contract models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from enkontakt.schemas.base import ORGNR_PATTERN
from enkontakt.schemas.events import EVENT_ENVELOPES, EVENT_TYPES
from enkontakt.schemas.outputs import Alert, EmployerNotice, View
from enkontakt.schemas.rejection import RejectionCode

JsonObject = dict[str, Any]

INPUT_TOPIC = "enkontakt.contact-events.v1"
DLQ_TOPIC = "enkontakt.contact-events.dlq.v1"
ALERTS_TOPIC = "enkontakt.alerts.v1"
VIEWS_TOPIC = "enkontakt.employer-views.v1"
NOTICES_TOPIC = "enkontakt.employer-notices.v1"

_KAFKA_BINDING = "0.5.0"
_ORGNR_KEY = {
    "type": "string",
    "pattern": ORGNR_PATTERN,
    "description": "The employer's organisation number as UTF-8.",
}


def asyncapi_document() -> JsonObject:
    """The AsyncAPI document: five channels, one operation each, and their messages."""
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Én kontakt",
            "version": "1.0.0",
            "description": "One contact person per employer, from the contact events of "
            "everyone who works with them. Topic names are defaults and configurable.",
        },
        "defaultContentType": "application/json",
        "channels": _channels(),
        "operations": _operations(),
        "components": {"messages": _messages(), "schemas": _schemas()},
    }


def _schemas() -> JsonObject:
    models: list[type[BaseModel]] = [*EVENT_ENVELOPES.values(), View, Alert, EmployerNotice]
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: JsonObject = definitions["$defs"]
    return schemas


def _channels() -> JsonObject:
    return {
        "contactEvents": _channel(
            INPUT_TOPIC,
            "Contact events from upstream systems: CloudEvents 1.0 in JSON structured mode, "
            "or binary mode with ce_* headers and JSON data.",
            list(_event_messages()),
        ),
        "rejectedContactEvents": _channel(
            DLQ_TOPIC, "Rejected input messages, unchanged, with the reason.", ["RejectedEvent"]
        ),
        "alerts": _channel(ALERTS_TOPIC, "One message per change of an alert.", ["Alert"]),
        "employerViews": _channel(
            VIEWS_TOPIC,
            "The latest view of each employer (compacted).",
            ["View"],
            {"topicConfiguration": {"cleanup.policy": ["compact"]}},
        ),
        "employerNotices": _channel(
            NOTICES_TOPIC, "A change of an employer's designated contact person.", ["Notice"]
        ),
    }


def _channel(
    address: str, description: str, messages: list[str], binding: JsonObject | None = None
) -> JsonObject:
    return {
        "address": address,
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {
            "kafka": {"topic": address, **(binding or {}), "bindingVersion": _KAFKA_BINDING}
        },
    }


def _operations() -> JsonObject:
    operations = {
        "receiveContactEvents": ("receive", "contactEvents"),
        "sendRejectedContactEvents": ("send", "rejectedContactEvents"),
        "sendAlerts": ("send", "alerts"),
        "sendEmployerViews": ("send", "employerViews"),
        "sendEmployerNotices": ("send", "employerNotices"),
    }
    channels = _channels()
    return {
        name: {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{message}"}
                for message in channels[channel]["messages"]
            ],
        }
        for name, (action, channel) in operations.items()
    }


def _messages() -> JsonObject:
    return {
        **_event_messages(),
        "RejectedEvent": _message(
            "Rejected event",
            {"description": "The original bytes of the rejected message, unchanged."},
            {"type": "string", "description": "The original message's key, if it had one."},
            content_type="application/octet-stream",
            headers=_dlq_headers(),
        ),
        "Alert": _message(
            "Alert",
            {"$ref": "#/components/schemas/Alert"},
            {
                "type": "string",
                "description": "The alert's rule and its key: the orgnr, the orgnr and "
                "inquiry_id for response-overdue, the person_key for caseload-high.",
            },
        ),
        "View": _message("Employer view", {"$ref": "#/components/schemas/View"}, _ORGNR_KEY),
        "Notice": _message(
            "Employer notice", {"$ref": "#/components/schemas/EmployerNotice"}, _ORGNR_KEY
        ),
    }


def _event_messages() -> JsonObject:
    no_key = {"type": "string", "description": "No employer: any key or none; not relied on."}
    return {
        envelope.__name__: _message(
            event_type,
            {"$ref": f"#/components/schemas/{envelope.__name__}"},
            _ORGNR_KEY if "employer" in EVENT_TYPES[event_type].model_fields else no_key,
            content_type="application/cloudevents+json",
        )
        for event_type, envelope in EVENT_ENVELOPES.items()
    }


def _message(
    title: str,
    payload: JsonObject,
    key: JsonObject,
    *,
    content_type: str = "application/json",
    headers: JsonObject | None = None,
) -> JsonObject:
    message: JsonObject = {
        "name": title,
        "title": title,
        "contentType": content_type,
        "payload": payload,
        "bindings": {"kafka": {"key": key, "bindingVersion": _KAFKA_BINDING}},
    }
    if headers is not None:
        message["headers"] = headers
    return message


def _dlq_headers() -> JsonObject:
    return {
        "type": "object",
        "required": ["enkontakt-error", "enkontakt-error-detail"],
        "properties": {
            "enkontakt-error": {
                "type": "string",
                "enum": [code.value for code in RejectionCode],
                "description": "The rejection code.",
            },
            "enkontakt-error-detail": {
                "type": "string",
                "description": "One sentence on the reason; never payload values.",
            },
        },
    }
