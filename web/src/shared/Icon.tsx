// Small inline icon set, so no area needs an icon package and every icon is decorative (aria-hidden).

const PATHS = {
  subsidy:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm3.6 5-2.4 4H15v1.6h-2.2V14H15v1.6h-2.2V18h-1.6v-2.4H9V14h2.2v-1.4H9V11h1.8L8.4 7h1.9L12 10.2 13.7 7z',
  location: 'M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
  certificate:
    'M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm2 4v2h7V8zm0 4v2h5v-2zm11.5-3.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM15 15.5v1.5h5v-1.5c0-1-1.1-1.7-2.5-1.7s-2.5.7-2.5 1.7z',
  user: 'M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4.4 0-8 2.2-8 5v3h16v-3c0-2.8-3.6-5-8-5z',
  home: 'M12 3 2 11.5h3V21h5.5v-6h3v6H19v-9.5h3z',
  services: 'M4 4h7v7H4zm9 0h7v7h-7zM4 13h7v7H4zm9 0h7v7h-7z',
  globe:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.9 6h-3a15.7 15.7 0 0 0-1.4-3.6A8 8 0 0 1 18.9 8zM12 4c.8 1.2 1.5 2.5 1.9 4h-3.8c.4-1.5 1.1-2.8 1.9-4zM4.3 14a8.2 8.2 0 0 1 0-4h3.4a16.5 16.5 0 0 0 0 4zm.8 2h3a15.7 15.7 0 0 0 1.4 3.6A8 8 0 0 1 5.1 16zm3-8h-3a8 8 0 0 1 4.4-3.6C8.8 5.5 8.4 6.7 8.1 8zM12 20c-.8-1.2-1.5-2.5-1.9-4h3.8c-.4 1.5-1.1 2.8-1.9 4zm2.3-6H9.7a14.7 14.7 0 0 1 0-4h4.6a14.7 14.7 0 0 1 0 4zm.2 5.6c.6-1.1 1.1-2.3 1.4-3.6h3a8 8 0 0 1-4.4 3.6zm1.8-5.6a16.5 16.5 0 0 0 0-4h3.4a8.2 8.2 0 0 1 0 4z',
  text: 'M3 5h12v3h-4.5v11h-3V8H3zm11 5h8v2.5h-2.75V19h-2.5v-6.5H14z',
  scan: 'M3 3h6v2H5v4H3zm12 0h6v6h-2V5h-4zM3 15h2v4h4v2H3zm16 0h2v6h-6v-2h4zM6 11h12v2H6z',
  window: 'M3 4h18v12H3zm2 2v8h14V6zM8 18h8v2H8z',
  till: 'M4 3h16v6H4zm2 2v2h12V5zM3 11h18l-1 10H4zm4 3v2h2v-2zm4 0v2h2v-2zm4 0v2h2v-2z',
  chart: 'M3 3h2v16h16v2H3zm4 10h3v5H7zm5-5h3v10h-3zm5-4h3v14h-3z',
  map: 'M9 3 3 5.5v15.5l6-2.5 6 2.5 6-2.5V3l-6 2.5zm0 2.2 6 2.5v11.1l-6-2.5z',
  dashboard: 'M3 3h8v10H3zm10 0h8v6h-8zM3 15h8v6H3zm10-4h8v10h-8z',
  settings:
    'M19.4 13a7.8 7.8 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.3 2.9a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.8 7.8 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1L11 21h4l.3-2.9c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z',
  audit: 'M6 2h9l5 5v15H6zm8 1.5V8h4.5zM9 12v2h8v-2zm0 4v2h8v-2z',
  team: 'M8 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm8.5 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8 13c-3.3 0-6 1.8-6 4v3h12v-3c0-2.2-2.7-4-6-4zm8.5 0c-.6 0-1.2.1-1.8.2 1.4 1 2.3 2.3 2.3 3.8v3h5v-3c0-2.2-2.5-4-5.5-4z',
  clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 10.4 3.5 2.1-1 1.7L11 13V6h2z',
  key: 'M12.65 10A6 6 0 1 0 12.65 14H17v4h4v-4h2v-4zM7 14a2 2 0 1 1 0-4 2 2 0 0 1 0 4z',
  copy: 'M16 1H4a2 2 0 0 0-2 2v14h2V3h12zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11z',
  plus: 'M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z',
} as const;

export type IconName = keyof typeof PATHS;

/** Decorative icon; the visible label next to it carries the meaning. */
export function Icon({ name, size = '1em', className }: { name: IconName; size?: number | string; className?: string }) {
  return (
    <svg
      className={className ? `haihe-icon ${className}` : 'haihe-icon'}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="currentColor"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
