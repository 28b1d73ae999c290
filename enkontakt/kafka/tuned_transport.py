"""The faust transport for the embedded tansu broker: shorter fetch waits.

faust creates its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no
setting to change it. Apache Kafka answers a fetch as soon as there is data, so
the wait costs nothing there; tansu holds a fetch for part of the maximum wait
even when data arrives (docs/kafka.md), which adds up to a second per hop
between the services. The embedded profile's apps use this transport, whose
worker consumer waits at most the embedded profile's ``fetch_max_wait_ms``;
production uses faust's own.
"""

from __future__ import annotations

import faust
from aiokafka import AIOKafkaConsumer
from faust.transport.drivers import aiokafka as driver
from faust.types import TransportT

from enkontakt.kafka.profiles import EMBEDDED

FETCH_MAX_WAIT_MS = EMBEDDED.fetch_max_wait_ms


class _ShortWaitConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: driver.Transport) -> AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read once, by ``AIOKafkaConsumer.start``, to build its fetcher.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ShortWaitConsumerThread(self, loop=self.loop, beacon=self.beacon)


class EmbeddedTransport(driver.Transport):
    """faust's aiokafka transport with the short-wait consumer."""

    Consumer = _Consumer


class EmbeddedApp(faust.App):
    """A faust App on the embedded broker (see the module docstring)."""

    def _new_transport(self) -> TransportT:
        return EmbeddedTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> TransportT:
        return EmbeddedTransport(self.conf.broker_producer, self)

