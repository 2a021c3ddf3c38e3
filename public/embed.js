/*
 * The embeddable "Send me the invite" button, for other sites:
 *   <script src="https://<this server>/embed.js" async></script>
 *   <calendar-invite-button event="<public id>"></calendar-invite-button>
 * Defines the custom element: a button in its own shadow root (the host page's CSS does not
 * reach it, and it adds none to the page) that opens this server's /embed/<public id> page in
 * a dialog, in a frame. That page needs no cookie, so it works where third-party cookies are
 * blocked. Plain script with no build step and no dependency: it runs on pages this project
 * does not control, and everything it shows is set as text, never as HTML.
 */
(() => {
  const script = document.currentScript
  if (!script || !('customElements' in window) || customElements.get('calendar-invite-button')) return
  const server = new URL(script.src, location.href).origin
  const PUBLIC_ID = /^[A-Za-z0-9_-]{16}$/

  const CSS = `
    :host { all: initial; display: inline-block; font: 500 15px/1.4 system-ui, sans-serif; }
    button.open { cursor: pointer; border: 0; border-radius: 6px; padding: 8px 14px; background: #0f172a; color: #fff; font: inherit; }
    button.open:focus-visible, button.close:focus-visible { outline: 2px solid #0369a1; outline-offset: 2px; }
    dialog { border: 0; border-radius: 8px; padding: 0; width: min(28rem, calc(100vw - 2rem)); box-shadow: 0 10px 30px rgb(0 0 0 / 0.3); }
    dialog::backdrop { background: rgb(15 23 42 / 0.5); }
    .bar { display: flex; justify-content: flex-end; padding: 4px; }
    button.close { cursor: pointer; border: 0; background: transparent; font: 600 20px/1 system-ui, sans-serif; padding: 4px 10px; color: #0f172a; }
    iframe { display: block; border: 0; width: 100%; height: 20rem; }
  `

  /** The shadow root's styles: a constructed sheet where the browser has them (no <style> for the host's policy to weigh). */
  function addStyles(root) {
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(CSS)
      root.adoptedStyleSheets = [sheet]
      return
    }
    const style = document.createElement('style')
    style.textContent = CSS
    root.append(style)
  }

  class CalendarInviteButton extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return
      const publicId = this.getAttribute('event') || ''
      if (!PUBLIC_ID.test(publicId)) return
      const root = this.attachShadow({ mode: 'open' })
      addStyles(root)
      const open = document.createElement('button')
      open.type = 'button'
      open.className = 'open'
      open.setAttribute('part', 'button')
      open.textContent = this.getAttribute('label') || 'Send me the invite'
      const dialog = document.createElement('dialog')
      dialog.setAttribute('aria-label', 'Send me the invite')
      const bar = document.createElement('div')
      bar.className = 'bar'
      const close = document.createElement('button')
      close.type = 'button'
      close.className = 'close'
      close.setAttribute('aria-label', 'Close')
      close.textContent = '×'
      close.addEventListener('click', () => dialog.close())
      bar.append(close)
      dialog.append(bar)
      open.addEventListener('click', () => {
        // The frame is made on first use, so a page with the button loads nothing more until it is pressed.
        if (!dialog.querySelector('iframe')) {
          const frame = document.createElement('iframe')
          frame.title = 'Send me the invite'
          frame.src = `${server}/embed/${encodeURIComponent(publicId)}`
          dialog.append(frame)
        }
        if (typeof dialog.showModal === 'function') dialog.showModal()
        else window.open(`${server}/embed/${encodeURIComponent(publicId)}`, '_blank', 'noopener,width=480,height=480')
      })
      root.append(open, dialog)
    }
  }
  customElements.define('calendar-invite-button', CalendarInviteButton)
})()
