/** 简体中文 for the console's English texts; EN names the keys that are not plain English. */
export const EN: Record<string, string> = {
  'source:upload': 'Local upload',
  'source:storage': 'Object storage',
  'source:task': 'Training task',
  postpaid: 'Postpaid',
  prepaid: 'Prepaid',
};

export const ZH: Record<string, string> = {};
