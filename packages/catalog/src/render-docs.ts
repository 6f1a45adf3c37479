#!/usr/bin/env node
import { renderToolsMarkdown } from './docs.js';

process.stdout.write(renderToolsMarkdown());
