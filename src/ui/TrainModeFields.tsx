// What training updates: every weight (full fine-tuning, f32 models only) or LoRA adapters on the
// chosen linears of each layer (any model; the base weights stay frozen).

import { LINEAR_NAMES, type LinearName } from '../model/weights';
import { useTrainStore, type FormErrors } from '../store/train';
import { TrainNumberField } from './TrainNumberField';

const LINEAR_TEXT: Record<LinearName, string> = {
  q: 'attention query',
  k: 'attention key',
  v: 'attention value',
  o: 'attention output',
  gate: 'MLP gate',
  up: 'MLP up',
  down: 'MLP down',
};

export function TrainModeFields({ quant, errors }: { quant: 'q4' | 'q8' | 'f32'; errors: FormErrors }) {
  const mode = useTrainStore((s) => s.form.mode);
  const targets = useTrainStore((s) => s.form.targets);
  const setChoice = useTrainStore((s) => s.setChoice);
  const fullAllowed = quant === 'f32';
  return (
    <fieldset>
      <legend>Mode</legend>
      <label className="choice">
        <input type="radio" name="train-mode" checked={mode === 'full'} disabled={!fullAllowed} onChange={() => setChoice({ mode: 'full' })} /> Full fine-tuning
        <span className="hint note">
          {fullAllowed ? 'Updates every weight: the most capacity, and memory for two AdamW moments per weight.' : `Needs f32 weights; this model is ${quant}. Reload it as f32 in the Model tab.`}
        </span>
      </label>
      <label className="choice">
        <input type="radio" name="train-mode" checked={mode === 'lora'} onChange={() => setChoice({ mode: 'lora' })} /> LoRA adapters
        <span className="hint note">Trains a small low-rank update W + (α/r)·B·A beside frozen weights; works on q4 and q8 models too.</span>
      </label>
      {errors.mode && <p className="error">{errors.mode}</p>}
      {mode === 'lora' && (
        <>
          <div className="fields">
            <TrainNumberField field="rank" error={errors.rank} />
            <TrainNumberField field="alpha" error={errors.alpha} />
          </div>
          <div className="targets" role="group" aria-label="LoRA targets">
            {LINEAR_NAMES.map((t) => (
              <label key={t} title={LINEAR_TEXT[t]}>
                <input
                  type="checkbox"
                  checked={targets.includes(t)}
                  onChange={() => setChoice({ targets: targets.includes(t) ? targets.filter((x) => x !== t) : LINEAR_NAMES.filter((x) => x === t || targets.includes(x)) })}
                />{' '}
                {t}
              </label>
            ))}
          </div>
          <p className={errors.targets ? 'error' : 'hint'}>{errors.targets ?? 'Which linears of every layer get an adapter; q and v is the classic choice.'}</p>
        </>
      )}
    </fieldset>
  );
}
