"""A faust transport whose worker consumer takes fetch settings faust does not expose.

faust creates its aiokafka consumer with ``fetch_max_wait_ms=1500`` and aiokafka's
defaults for the rest, with no setting to change them. The client tuning of a
profile (``enkontakt.kafka.profiles``) may set them; an app built with such a
tuning is a ``TunedApp``, whose worker consumer is created as faust's and then
given those values before it starts. Without them, apps are plain ``faust.App``.
"""

from __future__ import annotations

from typing import Any

import faust
from aiokafka import AIOKafkaConsumer
from faust.transport.drivers import aiokafka as driver
from faust.types import TransportT


class _TunedConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: driver.Transport) -> AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Each is read once, by ``AIOKafkaConsumer.start``, to build its fetcher.
        for name, value in getattr(self.app, "consumer_overrides", {}).items():
            setattr(consumer, f"_{name}", value)
        return consumer


class _Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _TunedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class TunedTransport(driver.Transport):
    """faust's aiokafka transport with the tuned worker consumer."""

    Consumer = _Consumer


class TunedApp(faust.App):
    """A faust App whose worker consumer takes ``consumer_overrides``
    (aiokafka ``AIOKafkaConsumer`` arguments such as ``fetch_max_wait_ms``)."""

    consumer_overrides: dict[str, Any]

    def __init__(self, *args: Any, consumer_overrides: dict[str, Any], **kwargs: Any) -> None:
        self.consumer_overrides = dict(consumer_overrides)
        super().__init__(*args, **kwargs)

    def _new_transport(self) -> TransportT:
        return TunedTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> TransportT:
        return TunedTransport(self.conf.broker_producer, self)
