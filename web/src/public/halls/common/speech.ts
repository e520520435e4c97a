// Speaks a called number on the hall's screen (Web Speech API, zh-CN voice when the device has one).

/** The announcement for a called number, e.g. "请 A012 号到 1号窗口（综合）办理". */
export function callAnnouncement(number: string, windowName: string): string {
  const spelled = number.split('').join(' ');
  return `请 ${spelled} 号，到 ${windowName} 办理`;
}

/** Whether the browser can speak. */
export function canSpeak(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';
}

/** Says the text once in Chinese (cancels anything still being said). */
export function speak(text: string): void {
  if (!canSpeak()) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = 'zh-CN';
  utterance.rate = 0.9;
  const voice = window.speechSynthesis.getVoices().find((candidate) => candidate.lang.replace('_', '-').toLowerCase().startsWith('zh'));
  if (voice) utterance.voice = voice;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(utterance);
}
