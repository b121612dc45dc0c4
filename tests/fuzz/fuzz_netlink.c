/*
 * fuzz_netlink.c - the netlink message parsers and the record file reader.
 *
 * The first byte picks the target, the rest is the input:
 *   0: a sock_diag dump through netlink_run() + netlink_cb_diag
 *   1: an RTM_GETADDR dump through netlink_run() + netlink_cb_ifaddr
 *   2: one receive buffer through netlink_feed() with seq/portid checks
 *   3: a whole record file (--netlink.replay): every section, parsed
 * Inputs are copied to an aligned buffer of their exact size so ASan sees
 * any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/host/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
run_sockets(const void *b, size_t n)
{
	static const uint16_t ports[] = {25, 465, 587};
	struct listener v[8];
	struct netlink_sockets s = {.v = v, .max = 8, .ports = ports, .n_ports = 3};
	char err[256];

	(void)netlink_run(b, n, netlink_cb_diag, &s, err, sizeof(err));
}

static void
run_ifaddrs(const void *b, size_t n)
{
	struct ifaddr v[8];
	struct netlink_ifaddrs s = {.v = v, .max = 8};
	char err[256];

	(void)netlink_run(b, n, netlink_cb_ifaddr, &s, err, sizeof(err));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	char err[256];

	if (size < 1)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	size--;
	switch (data[0] % 4) {
	case 0:
		run_sockets(buf, size);
		break;
	case 1:
		run_ifaddrs(buf, size);
		break;
	case 2: {
		struct listener v[8];
		struct netlink_sockets s = {.v = v, .max = 8};

		(void)netlink_feed(buf, size, 1, 1, netlink_cb_diag, &s, err, sizeof(err));
		break;
	}
	case 3:
		for (int k = 1; k <= NETLINK_DUMP_KINDS; k++) {
			const void *sect;
			size_t len;

			if (netlink_rec_find(buf, size, (enum netlink_dump_kind)k, &sect,
					     &len, err, sizeof(err)) < 0)
				continue;
			if (k == NETLINK_DUMP_IFADDR)
				run_ifaddrs(sect, len);
			else
				run_sockets(sect, len);
		}
		break;
	}
	free(buf);
	return 0;
}
