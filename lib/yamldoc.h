/*
 * yamldoc.h - one bounded YAML document (libyaml), for the parsers of the
 * exporter's own YAML files (the web configuration, the waivers).
 *
 * yamldoc_load() refuses an input larger than the caller's limit, then walks
 * the event stream and refuses a document nested deeper than YAMLDOC_MAX_DEPTH or with more than YAMLDOC_MAX_EVENTS
 * events before building the tree (libyaml's scanner costs O(depth) per
 * token, so a 1 MiB "[[[[..." would otherwise take minutes); then loads
 * the document and refuses a second one.  An empty input, or one that is
 * only a null, has no root.
 * Callers walk the tree with libyaml's node API and these helpers, and
 * only descend where their format expects, so an alias-heavy document
 * costs no more than its node count.
 *
 * Diagnostics: the -1 returns fill err with "file larger than N bytes",
 * "line N: invalid YAML: ...",
 * "line N: nested deeper than 16 levels", "line N: more than 100000 YAML
 * nodes" or "more than one YAML document"; the caller names the file.
 */
#ifndef MTA_YAMLDOC_H
#define MTA_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#define YAMLDOC_MAX_DEPTH 16
#define YAMLDOC_MAX_EVENTS 100000

struct yamldoc {
	yaml_document_t doc;
	bool loaded;
};

/* yamldoc_load - parse data[0..len) (at most max bytes) into d; 0, or -1 with err set. */
int yamldoc_load(struct yamldoc *d, const char *data, size_t len, size_t max, char *err,
		 size_t errlen);
/* yamldoc_root - the root node, or NULL for an empty document (nothing, or a null). */
yaml_node_t *yamldoc_root(struct yamldoc *d);
void yamldoc_free(struct yamldoc *d);

/* yamldoc_is_null - a plain scalar "", "~", "null", "Null" or "NULL". */
bool yamldoc_is_null(const yaml_node_t *n);
/* yamldoc_kind - "a scalar", "a list", "a mapping": for messages. */
const char *yamldoc_kind(const yaml_node_t *n);
/* yamldoc_line - the 1-based line n starts on. */
unsigned long yamldoc_line(const yaml_node_t *n);

enum yamldoc_key {
	YAMLDOC_KEY_OK,
	YAMLDOC_KEY_NOT_STRING,	/* "keys must be strings, got <kind>" */
	YAMLDOC_KEY_NUL,	/* "key contains a NUL byte" */
	YAMLDOC_KEY_REPEATED,	/* "key given twice" */
};

/*
 * yamldoc_key - the key of mapping map's pair p as a string in *key (NULL
 * unless OK or REPEATED): a scalar without NUL bytes that no earlier pair
 * of map has.
 * *knode (may be NULL) gets the key's node, for its line.
 */
enum yamldoc_key yamldoc_key(yaml_document_t *doc, const yaml_node_t *map, const yaml_node_pair_t *p,
			     const char **key, yaml_node_t **knode);

#endif
