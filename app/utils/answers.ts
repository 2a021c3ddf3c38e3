/** The answers an attendee can give, as the dashboard words and colours them (charts, the attendee table). */
export const ANSWERS = [
  { key: 'ACCEPTED', label: 'Yes', color: 'bg-green-600' },
  { key: 'DECLINED', label: 'No', color: 'bg-red-600' },
  { key: 'TENTATIVE', label: 'Maybe', color: 'bg-amber-500' },
  { key: 'NEEDS-ACTION', label: 'No answer', color: 'bg-slate-400' },
  { key: 'DELEGATED', label: 'Delegated', color: 'bg-slate-600' },
] as const

export const answerWord = (partstat: string) => ANSWERS.find((answer) => answer.key === partstat)?.label ?? partstat
