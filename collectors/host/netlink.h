/*
 * netlink.h - the exporter's only netlink code: sock_diag LISTEN dumps,
 * RTM_GETADDR dumps, record and replay.
 *
 * Three dumps are known (enum netlink_dump_kind): TCP listeners for AF_INET
 * and AF_INET6 (NETLINK_SOCK_DIAG, inet_diag_req_v2 with idiag_states =
 * LISTEN and an optional source-port bytecode filter) and the interface
 * addresses (NETLINK_ROUTE, RTM_GETADDR).
 *
 * Parsing is separate from I/O.  netlink_feed() takes the bytes of one
 * receive buffer, validates the framing (every nlmsg_len) and runs them
 * through mnl_cb_run() with one of the per-message parsers
 * netlink_cb_diag() / netlink_cb_ifaddr(), which convert each message once
 * into a struct listener / struct ifaddr (collector.h).  Live dumps, replayed
 * files, unit tests and the fuzzer all go through that same path.
 *
 * netlink_dump() does the I/O: it opens a socket per dump, sends the request,
 * receives until NLMSG_DONE checking seq and portid, and restarts the dump
 * (at most NETLINK_DUMP_RETRIES times) when the kernel flags it
 * NLM_F_DUMP_INTR.  With io->record_path set the raw bytes received are kept
 * and netlink_io_finish() writes them; with io->replay_path set the bytes come
 * from that file instead of the kernel (format: docs/listeners.md).
 *
 * Diagnostics: every function that can fail fills err (one line, naming the
 * file for replay/record problems) and returns -1, or NETLINK_UNAVAILABLE when
 * the kernel has no sock_diag support (socket refused, or the request answered
 * with ENOENT/EOPNOTSUPP), which the caller treats as "use /proc/net/tcp".
 */
#ifndef MTA_NETLINK_H
#define MTA_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "collectors/core/collector.h"

#define NETLINK_UNAVAILABLE (-2)
#define NETLINK_DUMP_RETRIES 3
#define NETLINK_RECV_SIZE 32768u
#define NETLINK_MAX_DUMP_BYTES (8u << 20)	/* per dump, live or replayed */
#define NETLINK_MAX_FILE_BYTES (3u * NETLINK_MAX_DUMP_BYTES + 64u)
#define NETLINK_MAX_PORT_FILTER 64		/* ports in the kernel bytecode */

/* Record file: magic, version, payload byte order, then sections. */
#define NETLINK_REC_MAGIC "MTANLREC"
#define NETLINK_REC_VERSION 1
#define NETLINK_REC_HDRLEN 12u
#define NETLINK_REC_SECTLEN 8u

enum netlink_dump_kind {
	NETLINK_DUMP_TCP4 = 1,
	NETLINK_DUMP_TCP6 = 2,
	NETLINK_DUMP_IFADDR = 3,
};
#define NETLINK_DUMP_KINDS 3

/* State of the per-message parsers (the mnl_cb_t "data" argument). */
struct netlink_sockets {
	struct listener *v;		/* caller's array */
	size_t n, max;
	const uint16_t *ports;		/* keep only these ports; NULL = all */
	size_t n_ports;
	size_t ignored;			/* other ports / states */
	size_t overflow;		/* matching sockets beyond max */
	char why[128];			/* reason of the last MNL_CB_ERROR */
};

struct netlink_ifaddrs {
	struct ifaddr *v;
	size_t n, max;
	size_t overflow;
	char why[128];
};

int netlink_cb_diag(const struct nlmsghdr *nlh, void *data);
int netlink_cb_ifaddr(const struct nlmsghdr *nlh, void *data);

/*
 * netlink_feed - validate and parse one receive buffer (or a whole recorded
 * dump).  seq/portid 0 disable those checks.  Returns 1 if the dump needs
 * more data, 0 when NLMSG_DONE (or an ACK) ended it, -1 on error with err
 * set (errno EINTR: the kernel flagged the dump as interrupted).
 */
int netlink_feed(const void *buf, size_t len, unsigned seq, unsigned portid,
		 mnl_cb_t cb, void *data, char *err, size_t errlen);

/*
 * netlink_run - a complete recorded dump: like netlink_feed() but running out
 * of bytes before NLMSG_DONE is an error ("truncated").
 */
int netlink_run(const void *buf, size_t len, mnl_cb_t cb, void *data,
		char *err, size_t errlen);

/*
 * netlink_bytecode - the inet_diag bytecode accepting a source port in
 * ports[] (an OR chain of INET_DIAG_BC_S_EQ).  Returns its length, 0 if
 * n_ports is 0 or above NETLINK_MAX_PORT_FILTER, in which case the caller
 * sends no filter.  out must hold 8 * n bytes.
 */
size_t netlink_bytecode(const uint16_t *ports, size_t n_ports, void *out, size_t outlen);

/*
 * Record file (docs/listeners.md).  netlink_rec_find - locate the section of
 * a dump kind in a loaded file; 0 and *sect, *sectlen set, or -1 with err.
 */
int netlink_rec_find(const void *file, size_t len, enum netlink_dump_kind kind,
		     const void **sect, size_t *sectlen, char *err, size_t errlen);

struct netlink_io {
	const char *record_path;	/* NULL = no recording */
	const char *replay_path;	/* NULL = ask the kernel */
	bool sock_diag_disabled;	/* pretend the kernel lacks sock_diag */
	/* private */
	unsigned seq;
	unsigned char *replay;		/* replay file, loaded by netlink_io_begin */
	size_t replay_len;
	unsigned char *rec;		/* sections recorded this scrape */
	size_t rec_len, rec_cap;
	unsigned char *rxbuf;		/* NETLINK_RECV_SIZE bytes */
};

/* netlink_io_begin - start a scrape (loads the replay file).  0 or -1. */
int netlink_io_begin(struct netlink_io *io, char *err, size_t errlen);
/*
 * netlink_dump - run one dump.  reset(data) is called before each attempt,
 * so a retried dump starts from empty results.  ports (may be NULL) become
 * the kernel port filter for the TCP dumps.
 */
int netlink_dump(struct netlink_io *io, enum netlink_dump_kind kind,
		 const uint16_t *ports, size_t n_ports, mnl_cb_t cb,
		 void (*reset)(void *data), void *data, char *err, size_t errlen);
/* netlink_io_finish - end a scrape; writes the record file if asked. 0 or -1. */
int netlink_io_finish(struct netlink_io *io, char *err, size_t errlen);
/* netlink_io_free - release everything (also without finish). */
void netlink_io_free(struct netlink_io *io);

const char *netlink_dump_name(enum netlink_dump_kind kind);

#endif
