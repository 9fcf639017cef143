// Which Ingresses are ours: those whose spec.ingressClassName, or else the legacy
// kubernetes.io/ingress.class annotation, names an IngressClass of our controller; an Ingress
// naming no class at all is ours when our class is the default (as ingress-nginx's
// --watch-ingress-without-class does for a default class).
import { DEFAULT_INGRESS_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION, type Ingress, type IngressClass } from '../api/networking.js';

export function servedBy(controller: string, classes: readonly IngressClass[]): (ing: Ingress) => boolean {
  const ours = new Set(classes.filter((c) => c.spec?.controller === controller).map((c) => c.metadata.name ?? ''));
  const oursIsDefault = classes.some((c) => c.spec?.controller === controller && c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
  return (ing) => {
    const named = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
    if (typeof named === 'string' && named !== '') return ours.has(named);
    return oursIsDefault;
  };
}
