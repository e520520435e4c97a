import { useSyncExternalStore } from 'react';
import { readPref, writePref } from './storage';

export const LARGE_TEXT_STORAGE_KEY = 'haihe.largeText';
export const LARGE_TEXT_CLASS = 'large-text';

let largeText = readPref(LARGE_TEXT_STORAGE_KEY) === 'true';
const listeners = new Set<() => void>();

/** Puts the saved large-text choice on <html> before the first paint of the app, avoiding a flash of small text. */
export function applyLargeText(): void {
  document.documentElement.classList.toggle(LARGE_TEXT_CLASS, largeText);
}

/** Turns large-text mode on or off for this device and notifies every area that renders with it. */
export function setLargeText(on: boolean): void {
  largeText = on;
  writePref(LARGE_TEXT_STORAGE_KEY, on ? 'true' : 'false');
  applyLargeText();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): boolean {
  return largeText;
}

/** React view of the large-text setting, so theme tokens (antd fontSize) can follow it. */
export function useLargeText(): boolean {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
