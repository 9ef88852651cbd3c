/**
 * The console as one self-contained HTML document, for MCP hosts that render `ui://` resources:
 * style and script inline (a host's frame loads nothing else).
 *
 * @module
 */
import { CONSOLE_BODY } from "./page_html.ts";
import { CONSOLE_STYLE } from "./page_style.ts";
import { APP_SCRIPT } from "./app_script.ts";

/** The console view as an MCP App document. */
export const APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Jobs · mcp-background-job</title>
<style>
${CONSOLE_STYLE}
body { height: 560px; }
</style>
</head>
<body>
${CONSOLE_BODY}<script type="module">
${APP_SCRIPT}
</script>
</body>
</html>
`;
