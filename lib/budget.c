/*
 * budget.c - work budgets in bytes (see budget.h).  No diagnostics: the
 * caller that charges reports where the budget ran out.
 */
#include "lib/budget.h"

void
budget_init(struct budget *b, size_t max)
{
	b->used = 0;
	b->max = max;
	b->exhausted = false;
}

bool
budget_charge(struct budget *b, size_t n)
{
	if (b == NULL)
		return true;
	if (b->exhausted || n > b->max - b->used) {
		b->exhausted = true;
		b->used = b->max;
		return false;
	}
	b->used += n;
	return true;
}

size_t
budget_left(const struct budget *b)
{
	return b->exhausted ? 0 : b->max - b->used;
}
