"""scripts/update-spec: take a new revision of the spec into the kit, or say why not.

- source.py: read a path or fetch a URL (httpx), parse, validate (openapi-spec-validator)
- plan.py: what changes in our curated spec (applied / already ours / not mirrored /
  needs a person), checked against spec-diff; apply.py does the mechanical edits,
  texts.py the three-way merge of wording, locate.py finds the place of spec-diff's
  structured locations in a document
- run.py: the order of work, the temporary copy and the swap, lock, regeneration,
  griffe API report (api_changes.py), the contract suite; --check-upstream for CI
"""
