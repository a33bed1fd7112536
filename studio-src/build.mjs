// Bundles the page's editor into ../yukimap/studio/static/ (committed, shipped in the wheel).
// `make studio-assets` runs it; the page fetches nothing at run time.
import * as esbuild from "esbuild";
import {fileURLToPath} from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// codemirror-json-schema renders schema descriptions as markdown with shiki (about 700 KB
// of highlighting grammars); the mapping schema's descriptions are plain text.
const plainText = {
  name: "plain-text-descriptions",
  setup(build) {
    build.onResolve({filter: /utils\/markdown(\.js)?$/}, () => ({path: here("./src/plaintext.js")}));
  },
};

await esbuild.build({
  entryPoints: {studio: here("./src/main.js"), watch: here("./src/watch.js")},
  outdir: here("../yukimap/studio/static"),
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  legalComments: "linked",
  plugins: [plainText],
  logLevel: "info",
});
