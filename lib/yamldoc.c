/*
 * yamldoc.c - a bounded YAML document and the node helpers its parsers
 * share (see yamldoc.h).  No I/O; the messages go to the caller.
 */
#include "lib/yamldoc.h"

#include <stdio.h>
#include <string.h>

static void
syntax_error(const yaml_parser_t *parser, char *err, size_t errlen)
{
	snprintf(err, errlen, "line %lu: invalid YAML: %s%s%s",
		 (unsigned long)parser->problem_mark.line + 1,
		 parser->problem ? parser->problem : "syntax error",
		 parser->context ? " " : "", parser->context ? parser->context : "");
}

/* Refuse deep nesting and huge event counts before the tree is built. */
static int
prescan(const char *data, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	unsigned long events = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_event_type_t t;

		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&parser, err, errlen);
			rc = -1;
			break;
		}
		t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT)
			depth++;
		else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth > YAMLDOC_MAX_DEPTH) {
			snprintf(err, errlen, "line %lu: nested deeper than %d levels",
				 (unsigned long)ev.start_mark.line + 1, YAMLDOC_MAX_DEPTH);
			rc = -1;
		} else if (++events > YAMLDOC_MAX_EVENTS) {
			snprintf(err, errlen, "line %lu: more than %d YAML nodes",
				 (unsigned long)ev.start_mark.line + 1, YAMLDOC_MAX_EVENTS);
			rc = -1;
		}
		yaml_event_delete(&ev);
		if (rc < 0 || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

int
yamldoc_load(struct yamldoc *d, const char *data, size_t len, size_t max, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t next;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	err[0] = '\0';
	if (len > max) {
		snprintf(err, errlen, "file larger than %zu bytes", max);
		return -1;
	}
	if (prescan(data, len, err, errlen) < 0)
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		syntax_error(&parser, err, errlen);
		yaml_parser_delete(&parser);
		return -1;
	}
	d->loaded = true;
	/* A second document is not part of any of our formats. */
	if (!yaml_parser_load(&parser, &next)) {
		syntax_error(&parser, err, errlen);
		rc = -1;
	} else {
		if (yaml_document_get_root_node(&next) != NULL) {
			snprintf(err, errlen, "more than one YAML document");
			rc = -1;
		}
		yaml_document_delete(&next);
	}
	yaml_parser_delete(&parser);
	if (rc < 0)
		yamldoc_free(d);
	return rc;
}

yaml_node_t *
yamldoc_root(struct yamldoc *d)
{
	yaml_node_t *root = d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;

	return root && !yamldoc_is_null(root) ? root : NULL;
}

void
yamldoc_free(struct yamldoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

bool
yamldoc_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *
yamldoc_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

unsigned long
yamldoc_line(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

enum yamldoc_key
yamldoc_key(yaml_document_t *doc, const yaml_node_t *map, const yaml_node_pair_t *p, const char **key,
	    yaml_node_t **knode)
{
	yaml_node_t *k = yaml_document_get_node(doc, p->key);
	const char *ks;

	*key = NULL;
	if (knode)
		*knode = k;
	if (k == NULL || k->type != YAML_SCALAR_NODE)
		return YAMLDOC_KEY_NOT_STRING;
	ks = (const char *)k->data.scalar.value;
	if (memchr(ks, '\0', k->data.scalar.length) != NULL)
		return YAMLDOC_KEY_NUL;
	for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *k2 = yaml_document_get_node(doc, q->key);

		if (k2 && k2->type == YAML_SCALAR_NODE && strcmp((const char *)k2->data.scalar.value, ks) == 0) {
			*key = ks;
			return YAMLDOC_KEY_REPEATED;
		}
	}
	*key = ks;
	return YAMLDOC_KEY_OK;
}
