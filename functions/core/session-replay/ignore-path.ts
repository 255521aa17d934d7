/**
 * A JSON path `ignore_paths` accepts: `$`, then `.name`, `['name']`, `[0]`, `[*]` or `..name` steps (no filter scripts).
 * A module of its own, importing nothing, so the Proxy page checks paths by the same rule.
 */
export const IGNORE_PATH_PATTERN = /^\$(\.\.?[A-Za-z_$*][\w$-]*|\[(\d+|\*|'[^']*'|"[^"]*")\])*$/;
