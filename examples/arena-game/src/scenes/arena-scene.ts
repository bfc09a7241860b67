/**
 * The arena drawn in code: a tiled floor, raised walls with a neon edge, players as rimmed discs
 * with a barrel, name and health bar, glowing projectiles, and short-lived effects (muzzle
 * flashes, hit sparks, kill rings), and an arrow on the screen's edge for each player out of view.
 * Everything is redrawn every frame from a `RenderFrame`, the
 * view of entities the net layer (or the menu's attract mode) hands it.
 */
import * as Phaser from 'phaser';
import { phaserSfxOutput } from '../audio/phaser-output.js';
import type { SfxOutput } from '../audio/sound-board.js';
import { type ArenaMap, mapById } from '../sim/maps.js';
import { type ArenaEntity, aimOf, arenaTuning, MATCH_ID, PlayerFlag } from '../simulation.js';
import { shortName } from '../ui/names.js';
import { type EdgeMarker, edgeMarker } from './edge-markers.js';

export interface PlayerLook {
  name: string;
  color: number;
  speaking: boolean;
}

export interface RenderFrame {
  world: ReadonlyMap<number, ArenaEntity>;
  tick: number;
  /** Tick length, s. */
  dt: number;
  /** The local player's entity id, or null (spectating, attract mode). */
  self: number | null;
  looks: ReadonlyMap<number, PlayerLook>;
  /** Frame the whole map instead of following the local player (menu background). */
  overview: boolean;
}

interface Effect {
  kind: 'spark' | 'ring' | 'flash';
  x: number;
  y: number;
  color: number;
  angle: number;
  ageMs: number;
  lifeMs: number;
}

const FLOOR = 0x111a2c;
const FLOOR_LINE = 0x18233a;
const WALL_TOP = 0x2a3a5e;
const WALL_SIDE = 0x1a2440;
const WALL_EDGE = 0x35e0c1;
/**
 * How far an edge marker's centre keeps from each edge of the screen, px: room for the arrow, and
 * above and below for the HUD (the timer and menu button at the top, health and hints at the bottom).
 */
const MARKER_INSETS = { top: 64, right: 26, bottom: 100, left: 26 };

export class ArenaScene extends Phaser.Scene {
  private frameSource: () => RenderFrame | null = () => null;
  /** The map drawn (a custom map shares its id with the next one: compared as an object). */
  private mapDrawn: ArenaMap | null = null;
  private floor: Phaser.GameObjects.Image | null = null;
  private gfx!: Phaser.GameObjects.Graphics;
  private labels = new Map<number, Phaser.GameObjects.Text>();
  private effects: Effect[] = [];
  private focus = { x: 800, y: 500 };
  private pointerWorld: { x: number; y: number } | null = null;
  private pointerAims = true;
  /** How far the camera may look past the map's edges, CSS px (room for the thumbs when playing by touch). */
  private edgeRoomPx = 0;
  private lastFired = new Map<number, number>();
  private markers: (EdgeMarker & { id: number })[] = [];
  private sfx: SfxOutput | null = null;

  constructor() {
    super('arena');
  }

  /** Where frames come from (called every render frame). */
  setSource(source: () => RenderFrame | null): void {
    this.frameSource = source;
  }

  /**
   * Playing by touch or with a mouse. By touch the mouse does not aim and no crosshair shows (a tap
   * on a button moves the page's pointer too; the aim stick aims), and the camera may look past the
   * map's edges so a player in a corner is not drawn under a thumb.
   */
  setTouchPlay(on: boolean): void {
    this.pointerAims = !on;
    this.edgeRoomPx = on ? 160 : 0;
    if (on) this.pointerWorld = null;
  }

  /** Aim (256ths of a turn) from a point to the mouse, in world coordinates; null before any mouse move. */
  aimFrom(x: number, y: number): number | null {
    const p = this.pointerWorld;
    if (!p || (p.x === x && p.y === y)) return null;
    return aimOf(p.x - x, p.y - y);
  }

  /** Where a world point is on the page (CSS px from the canvas's top left). */
  screenOf(x: number, y: number): { x: number; y: number } {
    const cam = this.cameras.main;
    return { x: (x - cam.worldView.x) * cam.zoom, y: (y - cam.worldView.y) * cam.zoom };
  }

  /** Where sound effects play (Phaser's sound manager), or null until Phaser has booted the scene. */
  sfxOutput(): SfxOutput | null {
    this.sfx ??= phaserSfxOutput(this);
    return this.sfx;
  }

  /** The edge markers drawn last frame: players out of view, by entity id (screen px). */
  edgeMarkers(): readonly (EdgeMarker & { id: number })[] {
    return this.markers;
  }

  effect(kind: Effect['kind'], x: number, y: number, color: number, angle = 0): void {
    const lifeMs = kind === 'ring' ? 600 : kind === 'spark' ? 320 : 90;
    this.effects.push({ kind, x, y, color, angle, ageMs: 0, lifeMs });
  }

  create(): void {
    this.gfx = this.add.graphics().setDepth(1);
    this.cameras.main.setBackgroundColor('#0b101c');
  }

  override update(_time: number, deltaMs: number): void {
    const frame = this.frameSource();
    const match = frame?.world.get(MATCH_ID);
    const map = mapById(match?.kind === 'match' ? match.fields.map : 0);
    if (this.mapDrawn !== map) this.drawMap(map);
    this.updateCamera(frame, map);
    const pointer = this.input.activePointer;
    if (this.pointerAims && (pointer.x !== 0 || pointer.y !== 0)) {
      const p = this.cameras.main.getWorldPoint(pointer.x, pointer.y);
      this.pointerWorld = { x: p.x, y: p.y };
    }
    this.gfx.clear();
    if (frame) this.drawWorld(frame);
    this.drawEffects(deltaMs);
    this.drawEdgeMarkers(frame);
    this.drawCrosshair(frame);
  }

  private updateCamera(frame: RenderFrame | null, map: ArenaMap): void {
    const cam = this.cameras.main;
    const { width, height } = this.scale;
    const self = frame?.self !== null && frame?.self !== undefined ? frame.world.get(frame.self) : undefined;
    if (frame && !frame.overview && self?.kind === 'player') {
      cam.setZoom(Phaser.Math.Clamp(Math.min(width / 1150, height / 700), 0.55, 1.5));
      this.focus.x += (self.fields.x - this.focus.x) * 0.15;
      this.focus.y += (self.fields.y - this.focus.y) * 0.15;
    } else {
      cam.setZoom(Math.min(width / (map.width + 80), height / (map.height + 80)));
      this.focus = { x: map.width / 2, y: map.height / 2 };
    }
    // Keep the map on screen where it is larger than the view (past its edges by at most the edge
    // room, a fifth of the screen at most); centre it where it is smaller.
    const viewW = width / cam.zoom;
    const viewH = height / cam.zoom;
    const room = (screenPx: number) =>
      frame?.overview === false ? Math.min(this.edgeRoomPx, screenPx / 5) / cam.zoom : 0;
    const cx =
      viewW >= map.width
        ? map.width / 2
        : Phaser.Math.Clamp(this.focus.x, viewW / 2 - room(width), map.width - viewW / 2 + room(width));
    const cy =
      viewH >= map.height
        ? map.height / 2
        : Phaser.Math.Clamp(this.focus.y, viewH / 2 - room(height), map.height - viewH / 2 + room(height));
    cam.centerOn(cx, cy);
  }

  /** Draws the floor and walls once per map and bakes them into a texture (Graphics redraw every frame). */
  private drawMap(map: ArenaMap): void {
    this.mapDrawn = map;
    const key = `map-${map.id}`;
    if (!this.textures.exists(key)) {
      const g = this.make.graphics({}, false);
      this.paintMap(g, map);
      g.generateTexture(key, map.width + 8, map.height + 10);
      g.destroy();
    }
    this.floor?.destroy();
    this.floor = this.add.image(0, 0, key).setOrigin(0, 0).setDepth(0);
  }

  private paintMap(g: Phaser.GameObjects.Graphics, map: ArenaMap): void {
    g.fillStyle(FLOOR, 1);
    g.fillRect(0, 0, map.width, map.height);
    g.lineStyle(1, FLOOR_LINE, 1);
    for (let x = 0; x <= map.width; x += 40) g.lineBetween(x, 0, x, map.height);
    for (let y = 0; y <= map.height; y += 40) g.lineBetween(0, y, map.width, y);
    // Larger tiles, faintly lighter in a checker, give the floor some depth.
    g.fillStyle(0x15203a, 0.55);
    for (let x = 0; x < map.width; x += 160)
      for (let y = 0; y < map.height; y += 160) if (((x + y) / 160) % 2 === 0) g.fillRect(x, y, 160, 160);
    // Spawn pads.
    for (const s of map.spawns) {
      g.lineStyle(2, 0x2b4a6b, 0.8);
      g.strokeCircle(s.x, s.y, 24);
      g.fillStyle(0x1b2b48, 0.8);
      g.fillCircle(s.x, s.y, 18);
    }
    // Walls: shadow, side, top, neon edge.
    for (const w of map.walls) {
      g.fillStyle(0x000000, 0.35);
      g.fillRect(w.x + 6, w.y + 8, w.w, w.h);
    }
    for (const w of map.walls) {
      g.fillStyle(WALL_SIDE, 1);
      g.fillRect(w.x, w.y, w.w, w.h);
      g.fillStyle(WALL_TOP, 1);
      g.fillRect(w.x + 3, w.y + 3, w.w - 6, w.h - 9);
      g.lineStyle(2, WALL_EDGE, 0.55);
      g.strokeRect(w.x + 1, w.y + 1, w.w - 2, w.h - 2);
    }
  }

  private drawWorld(frame: RenderFrame): void {
    const g = this.gfx;
    const seen = new Set<number>();
    const shieldTicks = Math.round(arenaTuning.spawnShieldS / frame.dt);
    for (const [id, e] of frame.world) {
      if (e.kind !== 'projectile') continue;
      const color = frame.looks.get(e.fields.owner)?.color ?? 0xffffff;
      const speed = Math.hypot(e.fields.vx, e.fields.vy) || 1;
      const tx = e.fields.x - (e.fields.vx / speed) * 16;
      const ty = e.fields.y - (e.fields.vy / speed) * 16;
      g.lineStyle(4, color, 0.35);
      g.lineBetween(tx, ty, e.fields.x, e.fields.y);
      g.fillStyle(color, 0.25);
      g.fillCircle(e.fields.x, e.fields.y, 9);
      g.fillStyle(0xffffff, 1);
      g.fillCircle(e.fields.x, e.fields.y, arenaTuning.projectileRadiusPx);
      seen.add(id);
    }
    for (const [id, e] of frame.world) {
      if (e.kind !== 'player') continue;
      const p = e.fields;
      const look = frame.looks.get(id) ?? { name: '?', color: 0xcccccc, speaking: false };
      const label = this.label(id);
      if ((p.flags & PlayerFlag.alive) === 0) {
        label.setVisible(false);
        g.lineStyle(3, look.color, 0.35);
        g.lineBetween(p.x - 8, p.y - 8, p.x + 8, p.y + 8);
        g.lineBetween(p.x - 8, p.y + 8, p.x + 8, p.y - 8);
        continue;
      }
      seen.add(id);
      const r = arenaTuning.playerRadiusPx;
      const dx = Math.cos(p.angle);
      const dy = Math.sin(p.angle);
      g.fillStyle(0x000000, 0.35);
      g.fillEllipse(p.x + 3, p.y + 6, r * 2.2, r * 1.6);
      if (look.speaking) {
        const pulse = 0.5 + 0.5 * Math.sin(this.time.now / 90);
        g.lineStyle(3, 0x5ee08a, 0.6 + 0.4 * pulse);
        g.strokeCircle(p.x, p.y, r + 9 + pulse * 2);
      }
      if (frame.tick - p.spawnTick < shieldTicks) {
        g.fillStyle(look.color, 0.12);
        g.fillCircle(p.x, p.y, r + 8);
        g.lineStyle(1, look.color, 0.5);
        g.strokeCircle(p.x, p.y, r + 8);
      }
      g.lineStyle(8, 0x0b101c, 1);
      g.lineBetween(p.x, p.y, p.x + dx * (r + 12), p.y + dy * (r + 12));
      g.lineStyle(5, 0xd8e2f5, 1);
      g.lineBetween(p.x + dx * 4, p.y + dy * 4, p.x + dx * (r + 11), p.y + dy * (r + 11));
      g.fillStyle(0x0b101c, 1);
      g.fillCircle(p.x, p.y, r + 2);
      g.fillStyle(look.color, 1);
      g.fillCircle(p.x, p.y, r);
      g.fillStyle(0xffffff, 0.3);
      g.fillCircle(p.x - r * 0.3, p.y - r * 0.35, r * 0.45);
      if ((p.flags & PlayerFlag.hit) !== 0) {
        g.fillStyle(0xffffff, 0.7);
        g.fillCircle(p.x, p.y, r);
      }
      if (id === frame.self) {
        g.lineStyle(2, 0xffffff, 0.9);
        g.strokeCircle(p.x, p.y, r + 4);
      }
      // Health bar and name.
      const w = 34;
      g.fillStyle(0x0b101c, 0.85);
      g.fillRect(p.x - w / 2 - 1, p.y - r - 13, w + 2, 6);
      const hp = p.hp / arenaTuning.maxHp;
      g.fillStyle(hp > 0.3 ? 0x5ee08a : 0xff5d73, 1);
      g.fillRect(p.x - w / 2, p.y - r - 12, w * hp, 4);
      label
        .setText(shortName(look.name))
        .setPosition(p.x, p.y - r - 16)
        .setVisible(true);
      label.setColor(id === frame.self ? '#ffffff' : '#c9d4ea');
      if ((p.flags & PlayerFlag.fired) !== 0 && this.lastFired.get(id) !== frame.tick) {
        this.lastFired.set(id, frame.tick);
        this.effect('flash', p.x + dx * (r + 14), p.y + dy * (r + 14), look.color, p.angle);
      }
    }
    for (const [id, label] of this.labels) {
      if (seen.has(id)) continue;
      if (!frame.world.has(id)) {
        label.destroy();
        this.labels.delete(id);
      }
    }
  }

  private label(id: number): Phaser.GameObjects.Text {
    let label = this.labels.get(id);
    if (!label) {
      label = this.add
        .text(0, 0, '', { fontFamily: 'system-ui, sans-serif', fontSize: '13px', fontStyle: 'bold', color: '#c9d4ea' })
        .setOrigin(0.5, 1)
        .setStroke('#0b101c', 4)
        .setResolution(2);
      this.labels.set(id, label);
    }
    return label;
  }

  private drawEffects(deltaMs: number): void {
    const g = this.gfx;
    for (const e of this.effects) e.ageMs += deltaMs;
    this.effects = this.effects.filter((e) => e.ageMs < e.lifeMs);
    for (const e of this.effects) {
      const t = e.ageMs / e.lifeMs;
      if (e.kind === 'ring') {
        g.lineStyle(4 * (1 - t) + 1, e.color, 1 - t);
        g.strokeCircle(e.x, e.y, 10 + t * 46);
        g.fillStyle(e.color, 0.25 * (1 - t));
        g.fillCircle(e.x, e.y, 10 + t * 30);
      } else if (e.kind === 'spark') {
        g.lineStyle(2, 0xffffff, 1 - t);
        for (let i = 0; i < 6; i++) {
          const a = e.angle + (i / 6) * Math.PI * 2;
          const r0 = 6 + t * 10;
          const r1 = r0 + 8 * (1 - t);
          g.lineBetween(e.x + Math.cos(a) * r0, e.y + Math.sin(a) * r0, e.x + Math.cos(a) * r1, e.y + Math.sin(a) * r1);
        }
      } else {
        g.fillStyle(0xfff3c4, 0.9 * (1 - t));
        g.fillCircle(e.x, e.y, 7 * (1 - t) + 3);
      }
    }
  }

  /** An arrow in the player's colour on the screen's edge for each living player out of view. */
  private drawEdgeMarkers(frame: RenderFrame | null): void {
    this.markers = [];
    if (!frame || frame.overview || frame.self === null) return;
    const cam = this.cameras.main;
    const { width, height } = this.scale;
    const s = 1 / cam.zoom;
    const g = this.gfx;
    for (const [id, e] of frame.world) {
      if (e.kind !== 'player' || id === frame.self || (e.fields.flags & PlayerFlag.alive) === 0) continue;
      const at = this.screenOf(e.fields.x, e.fields.y);
      const m = edgeMarker(at.x, at.y, width, height, MARKER_INSETS);
      if (!m) continue;
      this.markers.push({ id, ...m });
      const color = frame.looks.get(id)?.color ?? 0xcccccc;
      const x = cam.worldView.x + m.x * s;
      const y = cam.worldView.y + m.y * s;
      const dx = Math.cos(m.angle) * s;
      const dy = Math.sin(m.angle) * s;
      // Tip 13 px ahead, base 9 px behind and 10 px to each side.
      const tip = { x: x + dx * 13, y: y + dy * 13 };
      const left = { x: x - dx * 9 - dy * 10, y: y - dy * 9 + dx * 10 };
      const right = { x: x - dx * 9 + dy * 10, y: y - dy * 9 - dx * 10 };
      g.fillStyle(0x0b101c, 0.85);
      g.fillCircle(x, y, 15 * s);
      g.fillStyle(color, 1);
      g.fillTriangle(tip.x, tip.y, left.x, left.y, right.x, right.y);
      g.lineStyle(2 * s, color, 0.9);
      g.strokeCircle(x, y, 15 * s);
    }
  }

  private drawCrosshair(frame: RenderFrame | null): void {
    const p = this.pointerWorld;
    if (!frame || frame.overview || frame.self === null || !p) return;
    const g = this.gfx;
    const s = 1 / this.cameras.main.zoom;
    g.lineStyle(2 * s, 0xffffff, 0.9);
    g.strokeCircle(p.x, p.y, 9 * s);
    g.lineBetween(p.x - 15 * s, p.y, p.x - 5 * s, p.y);
    g.lineBetween(p.x + 5 * s, p.y, p.x + 15 * s, p.y);
    g.lineBetween(p.x, p.y - 15 * s, p.x, p.y - 5 * s);
    g.lineBetween(p.x, p.y + 5 * s, p.x, p.y + 15 * s);
  }
}
