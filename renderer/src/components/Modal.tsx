// A modal dialog with a real focus trap: Tab/Shift+Tab cycle inside, the page behind is inert
// (the App sets `inert` on its shell while a modal is open), Escape calls onEscape.
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Modal(props: {
  titleId: string;
  descId?: string;
  testId: string;
  tone?: 'warn' | 'danger';
  onEscape: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const onEscape = useRef(props.onEscape);
  onEscape.current = props.onEscape;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    (props.initialFocus?.current ?? box.current)?.focus();
    return () => {
      if (previous && document.contains(previous)) previous.focus();
    };
    // Focus once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    // Focus must never escape the dialog (a click on the backdrop, a stray programmatic focus).
    const onFocusIn = (e: FocusEvent) => {
      if (box.current && e.target instanceof Node && !box.current.contains(e.target)) box.current.focus();
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onEscape.current();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const items = Array.from(box.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.offsetParent !== null);
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || active === box.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="backdrop">
      <div
        ref={box}
        className={`modal ${props.tone ?? ''}`}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={props.titleId}
        aria-describedby={props.descId}
        tabIndex={-1}
        data-testid={props.testId}
        onKeyDown={onKeyDown}
      >
        {props.children}
      </div>
    </div>,
    document.body,
  );
}
