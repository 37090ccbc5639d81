/**
 * English and 简体中文. Components write the English text; zh.ts maps it to Chinese (and
 * gives the few keys that are not English text, like `source:task`, their English).
 * `t('Deleted {name}', {name})` fills {placeholders}. The choice is kept in localStorage.
 */
import { useSyncExternalStore } from 'react';
import { EN, ZH } from './zh.js';

export type Lang = 'en' | 'zh';
const KEY = 'modeldock.lang';
const listeners = new Set<() => void>();

const initial = (): Lang => {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
};
let lang: Lang = initial();
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((fn) => fn());
}

export type T = (text: string, vars?: Record<string, string | number>) => string;

export function translate(l: Lang, text: string, vars?: Record<string, string | number>): string {
  const s = l === 'zh' ? (ZH[text] ?? EN[text] ?? text) : (EN[text] ?? text);
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

export function useI18n(): { lang: Lang; t: T } {
  const l = useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => lang,
  );
  return { lang: l, t: (text, vars) => translate(l, text, vars) };
}
