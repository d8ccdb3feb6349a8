// The live feed over WebSocket (graphql-ws protocol): each VU holds one subscription open and counts
// the events it receives while another process (or the operator) registers records. The threshold is
// on connections: every subscriber must be acknowledged and stay open for the whole run.
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import type { Options } from 'k6/options';
import { connect } from 'k6/ws';
import { LIVE_EVENTS } from '../src/views-operations.ts';
import { bearer, GATEWAY_URL } from './lib.ts';

const acknowledged = new Rate('pq_subscription_acknowledged');
const received = new Counter('pq_events_received');
const errors = new Counter('pq_subscription_errors');

export const options: Options = {
  scenarios: {
    subscribers: {
      executor: 'constant-vus',
      exec: 'subscribe',
      vus: Number(__ENV['VUS'] ?? 50),
      duration: __ENV['DURATION'] ?? '1m',
    },
  },
  thresholds: {
    pq_subscription_acknowledged: ['rate>0.99'],
    pq_subscription_errors: ['count<1'],
  },
};

export function setup(): { token: string } {
  return { token: bearer() };
}

export function subscribe(data: { token: string }): void {
  const seconds = Number(__ENV['HOLD_SECONDS'] ?? 30);
  const res = connect(
    GATEWAY_URL.replace(/^http/, 'ws'),
    { headers: { 'Sec-WebSocket-Protocol': 'graphql-transport-ws' } },
    (socket) => {
      let acked = false;
      socket.on('open', () => {
        socket.send(
          JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${data.token}` } }),
        );
      });
      socket.on('message', (raw) => {
        const message = JSON.parse(raw) as { type: string; payload?: unknown };
        if (message.type === 'connection_ack') {
          acked = true;
          socket.send(
            JSON.stringify({ id: '1', type: 'subscribe', payload: { query: LIVE_EVENTS, variables: {} } }),
          );
        } else if (message.type === 'next') {
          received.add(1);
        } else if (message.type === 'error') {
          errors.add(1);
        }
      });
      socket.setTimeout(() => {
        acknowledged.add(acked);
        socket.close();
      }, seconds * 1000);
    },
  );
  check(res, { 'switched protocols': (r) => r.status === 101 });
}
