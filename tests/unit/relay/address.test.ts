import { describe, expect, it } from 'vitest';
import {
	addressKey,
	clientAddress,
	trustedProxiesFromEnv
} from '../../../scripts/relay-address.js';

const loopback = new Set(['127.0.0.1', '::1']);

describe('the address a relay connection counts as', () => {
	it('is the peer itself, IPv4 even when the socket reports it IPv4-mapped', () => {
		expect(clientAddress('192.0.2.7', undefined, loopback)).toBe('192.0.2.7');
		expect(clientAddress('::ffff:192.0.2.7', undefined, loopback)).toBe('192.0.2.7');
		expect(clientAddress(undefined, undefined, loopback)).toBe('unknown');
	});

	it('counts IPv6 per /64, whatever the spelling', () => {
		const key = '2001:db8:1:2::/64';
		expect(addressKey('2001:db8:1:2::1')).toBe(key);
		expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
		expect(addressKey('2001:db8:1:2:0:0:0:9%eth0')).toBe(key);
		expect(addressKey('2001:db8:1:3::1')).not.toBe(key);
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
	});

	it("takes the proxy's last X-Forwarded-For entry, from a trusted proxy only", () => {
		// Earlier entries are whatever the client claimed; the proxy appends what it saw.
		expect(clientAddress('127.0.0.1', '10.0.0.1, 198.51.100.4', loopback)).toBe('198.51.100.4');
		expect(clientAddress('::ffff:127.0.0.1', '198.51.100.4', loopback)).toBe('198.51.100.4');
		expect(clientAddress('::1', ['1.1.1.1', '2001:db8::5'], loopback)).toBe('2001:db8:0:0::/64');
		// From anyone else the header is the client's own claim.
		expect(clientAddress('203.0.113.9', '198.51.100.4', loopback)).toBe('203.0.113.9');
		// Not an address: the peer counts.
		expect(clientAddress('127.0.0.1', '198.51.100.4, evil', loopback)).toBe('127.0.0.1');
		expect(clientAddress('127.0.0.1', '', loopback)).toBe('127.0.0.1');
	});

	it('reads RELAY_TRUSTED_PROXIES', () => {
		expect([...trustedProxiesFromEnv({})]).toEqual(['127.0.0.1', '::1']);
		expect([...trustedProxiesFromEnv({ RELAY_TRUSTED_PROXIES: 'none' })]).toEqual([]);
		expect([
			...trustedProxiesFromEnv({ RELAY_TRUSTED_PROXIES: '10.0.0.2, ::ffff:10.0.0.3' })
		]).toEqual(['10.0.0.2', '10.0.0.3']);
		expect(() => trustedProxiesFromEnv({ RELAY_TRUSTED_PROXIES: 'proxy.local' })).toThrow(
			/RELAY_TRUSTED_PROXIES/
		);
	});
});
