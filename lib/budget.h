/*
 * budget.h - a work budget in bytes: how much a parser or an evaluator may
 * scan, copy or produce for one input before it stops.
 *
 *	struct budget b;
 *
 *	budget_init(&b, 32u << 20);
 *	if (!budget_charge(&b, n))
 *		... stop, and report where (file and line) ...
 *
 * A budget counts bytes, not items, so that its cost bound holds whatever
 * the items look like (one reference to a 1 MiB value costs 1 MiB).  Once
 * a charge has failed the budget stays exhausted and every later charge
 * fails too, so code may charge in many places and test once.  Whoever
 * charges reports the problem (the budget knows no file names); the caps
 * and what happens when one is hit are listed in docs/security.md.
 */
#ifndef MTA_BUDGET_H
#define MTA_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

struct budget {
	size_t used;		/* bytes charged so far */
	size_t max;		/* the cap */
	bool exhausted;		/* a charge went past max */
};

/* budget_init - a fresh budget of max bytes. */
void budget_init(struct budget *b, size_t max);
/*
 * budget_charge - count n more bytes; true while used stays within max.
 * A NULL budget accepts everything (a caller that has none to share).
 */
bool budget_charge(struct budget *b, size_t n);
/* budget_left - bytes that may still be charged (0 once exhausted). */
size_t budget_left(const struct budget *b);

#endif
