import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
// Usage: npm install && npm run check   (from deploy/kubernetes/schema-check)
// The RabbitmqCluster and the CloudNativePG resources have no published models here; the .NET tests cross-check them.
const dir = process.argv[2];
const core = { ConfigMap: "v1/ConfigMap", Secret: "v1/Secret", Service: "v1/Service", Namespace: "v1/Namespace", Deployment: "apps/v1/Deployment" };
const keda = { ScaledObject: "keda.sh/v1alpha1/ScaledObject", TriggerAuthentication: "keda.sh/v1alpha1/TriggerAuthentication" };
let failures = 0, validated = 0, skipped = [];
for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".yaml") && f !== "kustomization.yaml")) {
  for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
    const obj = doc.toJS();
    const mod = core[obj.kind] ? `kubernetes-models/${core[obj.kind]}` : keda[obj.kind] ? `@kubernetes-models/keda/${keda[obj.kind]}` : null;
    if (!mod) { skipped.push(`${file}:${obj.kind}`); continue; }
    const m = await import(mod);
    const Cls = m[obj.kind] ?? m.default;
    try { new Cls(obj).validate(); validated++; console.log(`ok   ${file} ${obj.kind} ${obj.metadata.name}`); }
    catch (e) { failures++; console.log(`FAIL ${file} ${obj.kind} ${obj.metadata.name}: ${e.message}`); }
  }
}
console.log(`${validated} validated, ${failures} failed; no schema for: ${skipped.join(", ")}`);
process.exit(failures ? 1 : 0);
