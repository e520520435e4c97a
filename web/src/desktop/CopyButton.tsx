import { useEffect, useState } from 'react';
import { Button } from 'antd';
import { Icon } from '../shared/Icon';

/** Copies with the old selection trick: navigator.clipboard exists only on https and localhost. */
function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** A copy button whose result ("copied" or "copy by hand") is announced in a live region next to it. */
export function CopyButton({
  text,
  label,
  copied,
  failed,
  testId,
}: {
  text: string;
  label: string;
  copied: string;
  failed: string;
  testId?: string;
}) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => setStatus('idle'), [text]);
  async function copy(): Promise<void> {
    let ok = false;
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) ok = copyBySelection(text);
    setStatus(ok ? 'copied' : 'failed');
  }
  return (
    <span className="copy-control">
      <Button icon={<Icon name="copy" />} onClick={() => void copy()} data-testid={testId}>
        {label}
      </Button>
      <span className={status === 'failed' ? 'copy-status copy-failed' : 'copy-status'} role="status">
        {status === 'copied' ? copied : status === 'failed' ? failed : ''}
      </span>
    </span>
  );
}
