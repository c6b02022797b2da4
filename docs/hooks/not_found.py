"""MkDocs hook: a 404 page that works wherever the site is served, at a domain's root or under a path.

Without `site_url` (the site has no known address), MkDocs writes 404.html with links from the server's
root (/assets/...), since a server shows it for any missing page at any depth; under a path such as
https://host/lcspec/ they all break. Here they become relative, and a script at the top of the page,
before anything loads, finds the site's root (the shortest prefix of the address under which the site's
clause index exists) and makes it the page's <base>.
"""

from __future__ import annotations

import re

PROBE = "assets/clause-index.json"  # a file every build of this site has (spec_pages.py)

FIND_ROOT = f"""<script>
(function () {{
  var parts = location.pathname.split("/").slice(0, -1), root = "/";
  for (var i = 1; i <= parts.length; i++) {{
    var prefix = parts.slice(0, i).join("/") + "/";
    var probe = new XMLHttpRequest();
    try {{ probe.open("HEAD", prefix + "{PROBE}", false); probe.send(); }} catch (e) {{ continue; }}
    if (probe.status === 200) {{ root = prefix; break; }}
  }}
  document.write('<base href="' + root + '">');
}})();
</script>"""


def on_post_template(output, template_name, config):
    if template_name != "404.html" or config.get("site_url"):
        return output
    output = re.sub(r'(\b(?:href|src)=")/(?!/)', r"\1", output)  # root-absolute -> relative to <base>
    # Material's own idea of the root and of its search worker, in its configuration
    output = output.replace('"base": "/"', '"base": "."').replace('"search": "/', '"search": "')
    return re.sub(r"(<head[^>]*>)", r"\1\n" + FIND_ROOT.replace("\\", "\\\\"), output, count=1)
