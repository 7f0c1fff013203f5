/**
 * metav1.LabelSelectorAsSelector(...).Matches for the StatefulSet's spec.selector: matchLabels
 * and matchExpressions (In, NotIn, Exists, DoesNotExist). A nil selector matches nothing, an
 * empty one everything (API validation rejects empty selectors on StatefulSets anyway).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether the selector is structurally valid (LabelSelectorAsSelector would not error). */
export function selectorIsValid(selector: V1LabelSelector | undefined): boolean {
  if (!selector) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In' || e.operator === 'NotIn') return (e.values ?? []).length > 0;
    if (e.operator === 'Exists' || e.operator === 'DoesNotExist') return (e.values ?? []).length === 0;
    return false;
  });
}
