package io.weft.controlplane.discovery;

import com.google.common.base.Ticker;
import java.time.Clock;
import java.util.Set;

/**
 * What every discovery stream shares: the resources, the gates and indexes it keeps up to date,
 * the metrics, and time.
 *
 * @param connected the streams that have sent a valid first request and are open
 */
record StreamContext(
    ResourceCache cache,
    WarmupGate gate,
    SubscriptionIndex<DiscoveryStream> index,
    PropagationWaits waits,
    ChangeDispatcher dispatcher,
    DiscoveryMetrics metrics,
    Set<DiscoveryStream> connected,
    Ticker ticker,
    Clock clock,
    String controlPlaneId) {}
