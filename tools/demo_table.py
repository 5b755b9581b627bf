"""Prints the demo benchmark's markdown rows from OUT_ROOT/<preset>-s<seed>/report.json (tools/bench_demo.sh)."""
import glob, json, os, sys

root, presets = sys.argv[1], sys.argv[2:] or ["default", "quick"]
for preset in presets:
    runs = sorted(glob.glob(os.path.join(root, f"{preset}-s*", "report.json")))
    if not runs:
        continue
    print(f"\n{preset}: | seed | training | dirty | clean | none | wall |")
    notes = []
    for path in runs:
        folder = os.path.dirname(path)
        seed = folder.rsplit("-s", 1)[1]
        d = json.load(open(path))
        wall_file = folder + ".wall"
        wall = f"{int(open(wall_file).read()) / 60:.1f} min" if os.path.exists(wall_file) else ""
        m = {(s["training"], s["pretraining"]): s for s in d["setups"]}
        def cell(t, p):
            s = m.get((t, p))
            a = (s or {}).get("audit") or {}  # report.json version 2: each setup's figures sit in its audit
            if not a.get("zero_shot"):
                return "missing"
            return f"{a['zero_shot']['top1']:.3f}; {a['silhouette']['audio']:.2f}"
        for i, t in enumerate(("dirty", "clean")):
            print(f"| {seed if i == 0 else ''} | {t} | {cell(t, 'dirty')} | {cell(t, 'clean')} | {cell(t, 'none')} | {wall if i == 0 else ''} |")
        c = d["correlations"]
        a, b = c["top1_vs_silhouette_audio"], c["log_top1_vs_topology_audio_vs_text"]
        o = d.get("orderings", [])
        held = lambda measure: f"{sum(x['holds'] for x in o if x['measure'] == measure)}/{sum(1 for x in o if x['measure'] == measure)}"
        notes.append(f"seed {seed}: accuracy vs silhouette of E_a rho {a['rho']:.2f} (p {a['p']:.3f}); log accuracy vs S(E_a, E_t) "
                     f"rho {b['rho']:.2f} (p {b['p']:.3f}); paper's orderings held: accuracy {held('top-1 accuracy')}, "
                     f"silhouette of E_a {held('silhouette of E_a')}; not held: "
                     + ("; ".join(f"{x['measure']}, {x['claim']}: {x['values']}" for x in o if not x["holds"] and x["measure"] != "silhouette of x_a") or "none"))
    print(f"chance {d['random_guess']:.3f}")
    for n in notes:
        print("- " + n)
