# Regenerates docs/options.md from the options classes (summary, default, range). Run: python3 docs/tools/generate_options.py
import re, os, html
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', '..', 'src', 'IstaNas')
classes = [
  ('SearchSpaceOptions', 'SearchSpace/SearchSpaceOptions.cs', '`SearchBuilder.ConfigureSearchSpace`, `IstaNasBuilder.ConfigureSearchSpace`'),
  ('SparseCoderOptions', 'SparseCoding/SparseCoderOptions.cs', '`SearchBuilder.ConfigureRecovery`, `IstaNasBuilder.ConfigureRecovery`'),
  ('TrainingOptions', 'Training/TrainingOptions.cs', 'the base of every training options class: `TwoStageOptions`, `OneStageOptions`, `DartsOptions` and `EvaluationOptions` (each sets its own defaults where the table says so below)'),
  ('SearchTrainingOptions', 'Strategies/SearchTrainingOptions.cs', 'the base of `TwoStageOptions`, `OneStageOptions` and `DartsOptions`'),
  ('TwoStageOptions', 'Strategies/TwoStageOptions.cs', '`SearchBuilder.UseTwoStage`'),
  ('OneStageOptions', 'Strategies/OneStageOptions.cs', '`SearchBuilder.UseOneStage`'),
  ('DartsOptions', 'Strategies/DartsOptions.cs', '`SearchBuilder.UseDarts`'),
  ('RandomOptions', 'Strategies/RandomOptions.cs', '`SearchBuilder.UseRandom`, `IstaNasBuilder.ConfigureRandom`'),
  ('EvaluationOptions', 'Evaluation/EvaluationOptions.cs', '`new EvaluationTrainer(genotype, options)`'),
  ('ConsistencyOptions', 'Quality/ConsistencyOptions.cs', '`new ConsistencyStudy(options)` (docs/search-quality.md)'),
]
out = ["# Options reference", "",
       "Every options class is validated when it is used (`SearchBuilder.Build`, a strategy's constructor, `AddIstaNas`",
       "with `ValidateOnStart`): a bad value throws `OptionsValidationException` naming the option and the value.",
       "This page is generated from the source by `docs/tools/generate_options.py`; `OptionsDocumentationTests` checks that it",
       "lists every option.", ""]
def clean(t):
    t = re.sub(r'<see cref="([^"]+)"\s*/>', lambda m: '`'+m.group(1).split('.')[-1]+'`', t)
    t = re.sub(r'<c>(.*?)</c>', r'`\1`', t)
    t = re.sub(r'<[^>]+>', '', t)
    return html.unescape(' '.join(t.split())).replace('|', '\\|')
def summaries(lines):
    # yields (summary, attrs, declaration line) for each member
    doc, attrs = [], []
    for line in lines:
        st = line.strip()
        if st.startswith('///'):
            if st.startswith('/// <summary>'): doc = []; attrs = []
            doc.append(st[3:].strip()); continue
        if st.startswith('['): attrs.append(st); continue
        if st: yield ' '.join(doc), ' '.join(attrs), st; doc, attrs = [], []
for name, path, where in classes:
    p = os.path.join(root, path)
    if not os.path.exists(p): continue
    s = open(p).read()
    ctor = re.search(r'public ' + name + r'\(\)\s*\{(.*?)\n    \}', s, re.S)
    ctor_defaults = dict(re.findall(r'(\w+) = ([^;]+);', ctor.group(1))) if ctor else {}
    out += [f"## {name}", ""]
    rows = []
    for summ, attrs, decl in summaries(s.splitlines()):
        if re.search(r'\b(class|record)\s+' + name + r'\b', decl):
            out.append(clean(re.sub(r'<summary>|</summary>', '', summ)))
            continue
        m = re.match(r'public ([\w<>?\[\], ]+?) (\w+) \{ get; (?:set|init); \}(?: = ([^;]+);)?', decl)
        if not m: continue
        typ, prop, default = m.groups()
        rng = re.search(r'Range\(([^,]+), ([^\)]+)\)', attrs)
        r = f"{rng.group(1)} .. {rng.group(2)}" if rng else ''
        if 'MinLength(1)' in attrs: r = (r + ', ' if r else '') + 'non-empty'
        if 'EnumDataType' in attrs: r = 'a defined value'
        d = ctor_defaults.get(prop, default if default is not None else ('null' if typ.endswith('?') else ('false' if typ == 'bool' else '')))
        d = d.replace('[.. Architecture.Operations.Default]', 'all 7 operations').replace('DefaultLambda', '1e-5').strip()
        rows.append(f"| `{prop}` | `{typ}` | `{d}` | {r} | {clean(re.sub(r'<summary>|</summary>', '', summ))} |")
    if ctor_defaults:
        out += ["", "Defaults set by this class for inherited options: " + ", ".join(f"`{k}` = `{v.strip()}`" for k, v in ctor_defaults.items()) + "."]
    out += [f"Used by {where}.", "", "| option | type | default | range | meaning |", "| --- | --- | --- | --- | --- |"] + rows + [""]
open(os.path.join(here, '..', 'options.md'), 'w').write('\n'.join(out))
